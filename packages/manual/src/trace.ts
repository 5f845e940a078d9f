import type { FloatArray } from '@tapegrad/autograd/kernels';
import type { Network } from './network.ts';
import type { Matrix, Trace, TraceLayer } from './types.ts';
import type { Workspace } from './workspace.ts';

function copy(data: FloatArray, shape: readonly number[]): Matrix {
  return { data: data.slice(), shape: Object.freeze(shape.slice()) };
}

/** Copies of every symbol of the chapter after a forward and backward pass over the workspace's batch. */
export function traceOf(net: Network, ws: Workspace, dW: readonly FloatArray[], db: readonly FloatArray[], loss: number): Trace {
  const { n, sizes: s } = net;
  const { N } = ws;
  const layers: TraceLayer[] = [];
  for (let l = 1; l <= n; l++) {
    layers.push({
      l,
      activation: l < n ? net.act[l].name : 'softmax',
      W: copy(net.W[l], [s[l - 1], s[l]]),
      b: copy(net.b[l], [s[l]]),
      z: copy(ws.z[l], [N, s[l]]),
      a: copy(ws.a[l], [N, s[l]]),
      delta: copy(ws.delta[l], [N, s[l]]),
      dW: copy(dW[l], [s[l - 1], s[l]]),
      db: copy(db[l], [s[l]]),
    });
  }
  return { sizes: s, N, a0: copy(ws.a[0], [N, s[0]]), y: copy(ws.Y, [N, s[n]]), loss, layers };
}
