import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { ActivationName } from '@tapegrad/autograd/kernels';
import { LEAKY_SLOPE } from '@tapegrad/autograd/kernels';
import type { Batch } from '../datasets/dataset.ts';
import type { NetworkSpec, Params } from '../engine.ts';
import { hiddenActivations } from '../engine.ts';
import type { Peer, PeerSession } from './peer.ts';
import { float32Rows, oneHotRows } from './peer.ts';

// TensorFlow.js with its WebAssembly backend. In Node the backend finds its .wasm files next to its own module, so
// no setWasmPaths is needed. Parameters are tf.variables, the loss tf.losses.softmaxCrossEntropy (mean over the
// batch), the step tf.train.sgd(lr).minimize; everything made along the way is disposed by tidy/minimize.

function activate(z: tf.Tensor2D, act: ActivationName): tf.Tensor2D {
  switch (act) {
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.tanh(z);
    case 'relu':
      return tf.relu(z);
    case 'leakyRelu':
      return tf.leakyRelu(z, LEAKY_SLOPE);
    case 'identity':
      return z;
  }
}

export const tfjsPeer: Peer = {
  name: 'tfjs-wasm',

  async start() {
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    return `@tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}${simd ? ' SIMD' : ''}${threads ? ' multi-threaded' : ', one thread'}`;
  },

  load(spec: NetworkSpec, params: Params, batch: Batch, lr: number): PeerSession {
    const acts = hiddenActivations(spec);
    const s = spec.sizes;
    const k = s[s.length - 1];
    const W = params.W.map((w, i) => tf.variable(tf.tensor2d(float32Rows(w), [s[i], s[i + 1]])));
    const b = params.b.map((v) => tf.variable(tf.tensor1d(Float32Array.from(v))));
    const x = tf.tensor2d(Float32Array.from(batch.x), [batch.N, batch.d]);
    const y = tf.tensor2d(oneHotRows(batch.labels, k), [batch.N, k]);
    const vars = [...W, ...b];
    const optimizer = tf.train.sgd(lr);
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        let a: tf.Tensor2D = x;
        for (let l = 0; l < W.length; l++) {
          const z = tf.add(tf.matMul(a, W[l]), b[l]) as tf.Tensor2D;
          a = l < W.length - 1 ? activate(z, acts[l]) : z;
        }
        return tf.losses.softmaxCrossEntropy(y, a) as tf.Scalar;
      });
    return {
      gradients() {
        const { value, grads } = tf.variableGrads(loss, vars);
        const out = {
          loss: value.dataSync()[0],
          dW: W.map((w) => ({ data: Float32Array.from(grads[w.name].dataSync()), shape: w.shape })),
          db: b.map((v) => ({ data: Float32Array.from(grads[v.name].dataSync()), shape: v.shape })),
        };
        value.dispose();
        tf.dispose(Object.values(grads));
        return out;
      },
      step() {
        const l = optimizer.minimize(loss, true, vars)!;
        const v = l.dataSync()[0]; // waits for the update too: the backend runs in order
        l.dispose();
        return v;
      },
      dispose() {
        tf.dispose([...vars, x, y]);
        optimizer.dispose();
      },
    };
  },
};
