import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ActivationName } from '@tapegrad/autograd/kernels';
import { LEAKY_SLOPE } from '@tapegrad/autograd/kernels';
import type { Batch } from '../datasets/dataset.ts';
import type { NetworkSpec, Params } from '../engine.ts';
import { hiddenActivations } from '../engine.ts';
import type { Peer, PeerSession } from './peer.ts';
import { float32Rows, oneHotRows } from './peer.ts';

// jax-js (JAX in JavaScript) on its WebAssembly device. In Node 20, `init()` with no argument probes WebGPU through
// the global `navigator`, which Node 20 does not have, and throws; `init('wasm')` works. The training step is the
// JAX idiom: jit(valueAndGrad(loss)) and a tree-mapped SGD update, with jax-js's reference-counted arrays (every
// call consumes its arguments; `.ref` keeps one).
//
// The library is imported lazily, so that `pnpm bench` without --peers never loads it.

type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;
type Tree = { W: JArray[]; b: JArray[] };

let jax: Jax | null = null;

function version(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('@jax-js/jax');
    return JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return '?';
  }
}

export const jaxPeer: Peer = {
  name: 'jax-js',

  async start() {
    jax ??= await import('@jax-js/jax');
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) throw new Error(`jax-js: no wasm device (devices: ${devices.join(', ')})`);
    jax.defaultDevice('wasm');
    return `@jax-js/jax ${version()}, device wasm`;
  },

  load(spec: NetworkSpec, params: Params, batch: Batch, lr: number): PeerSession {
    if (jax === null) throw new Error('jax-js: start() first');
    const { numpy: np, nn, tree, jit, valueAndGrad } = jax;
    const acts = hiddenActivations(spec);
    const s = spec.sizes;
    const k = s[s.length - 1];
    const N = batch.N;
    const act = (z: JArray, a: ActivationName): JArray =>
      a === 'relu' ? nn.relu(z) : a === 'sigmoid' ? nn.sigmoid(z) : a === 'tanh' ? np.tanh(z) : a === 'leakyRelu' ? nn.leakyRelu(z, LEAKY_SLOPE) : z;
    const lossFn = (p: Tree, x: JArray, y: JArray): JArray => {
      let a = x;
      for (let l = 0; l < p.W.length; l++) {
        const z = np.matmul(a, p.W[l]).add(p.b[l]);
        a = l < p.W.length - 1 ? act(z, acts[l]) : z;
      }
      return nn.logSoftmax(a, -1).mul(y).sum().mul(-1 / N); // mean softmax cross-entropy
    };
    const step = jit((p: Tree, x: JArray, y: JArray) => {
      const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), x, y);
      return [loss, tree.map((w: JArray, gw: JArray) => w.sub(gw.mul(lr)), p, g) as Tree] as const;
    });
    let p: Tree = {
      W: params.W.map((w, i) => np.array(float32Rows(w)).reshape([s[i], s[i + 1]])),
      b: params.b.map((v) => np.array(Float32Array.from(v))),
    };
    const x = np.array(Float32Array.from(batch.x)).reshape([N, batch.d]);
    const y = np.array(oneHotRows(batch.labels, k)).reshape([N, k]);
    return {
      gradients() {
        const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), x.ref, y.ref);
        const gt = g as Tree;
        return {
          loss: (loss as JArray).dataSync()[0],
          dW: gt.W.map((w, i) => ({ data: Float32Array.from(w.dataSync() as Float32Array), shape: [s[i], s[i + 1]] })),
          db: gt.b.map((v, i) => ({ data: Float32Array.from(v.dataSync() as Float32Array), shape: [s[i + 1]] })),
        };
      },
      step() {
        const [loss, next] = step(p, x.ref, y.ref);
        p = next as Tree;
        return (loss as JArray).dataSync()[0]; // reading the loss waits for the step
      },
      dispose() {
        tree.dispose(p);
        x.dispose();
        y.dispose();
      },
    };
  },
};
