// What the browser test runs, in Chromium and in Node alike, from the packages' public entries only: it trains the
// chapter's 2-2-2-3 sigmoid network (docs/backprop-chapter.md, float64) and two ReLU networks big enough for the
// wasm kernels (2-64-64-3 on 256 rows, the spiral's shape: products in wasm on one thread; 784-256-256-10 on 128
// rows, the mnist-mlp shape: products split across threads where there are several), with autograd in lockstep
// with the manual engine, every step's gradients compared, and returns the differences, the losses and a digest of
// every gradient and final parameter, so that runs can be held to each other bit for bit.
import { crossEntropy, noGrad, type Tensor, tensor } from '@tapegrad/autograd';
import { allocate, type DType, type FloatArray, matmul, matmulNT, matmulTN, Random } from '@tapegrad/autograd/kernels';
import { ManualMLP, type MLPParams, chapterExample } from '@tapegrad/manual';

export interface NetworkResult {
  /** max over steps, layers and symbols of max |autograd − manual| / max |manual| (loss, ∂L/∂W^l, ∂L/∂b^l) */
  worst: number;
  losses: number[];
  /** FNV-1a (32-bit) of the bytes of every gradient of both engines and of the final parameters, as hex */
  digest: string;
}

export interface WorkloadResults {
  chapter: NetworkResult;
  spiral: NetworkResult;
  mnist: NetworkResult;
  /** digest of matmul products on seeded operands, both dtypes, sizes from one thread's to several threads' */
  products: string;
}

interface Network {
  sizes: number[];
  activation: 'sigmoid' | 'relu';
  dtype: DType;
  params: MLPParams;
  x: number[][];
  y: number[];
  lr: number;
}

/** max |a − b| / max |b| over two arrays of one length. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

class Digest {
  private h = 0x811c9dc5;
  add(x: FloatArray | number[]): void {
    const bytes = new Uint8Array(Float64Array.from(x).buffer);
    for (const byte of bytes) this.h = Math.imul(this.h ^ byte, 0x01000193) >>> 0;
  }
  hex(): string {
    return this.h.toString(16).padStart(8, '0');
  }
}

/** The autograd side of a network: W^l, b^l as leaf tensors, and one forward pass to the mean cross-entropy. */
function autogradNet(net: Network): { params: Tensor[]; loss: () => Tensor } {
  const { dtype } = net;
  const W = net.params.W.map((rows) => tensor(rows as number[][], { dtype, requiresGrad: true }));
  const b = net.params.b.map((row) => tensor(row as number[], { dtype, requiresGrad: true }));
  const x = tensor(net.x, { dtype });
  const loss = (): Tensor => {
    let a = x;
    for (let l = 0; l < W.length; l++) {
      const z = a.matmul(W[l]).add(b[l]); // z^l = a^{l−1} W^l + b^l
      a = l < W.length - 1 ? z[net.activation]() : z; // a^l = act(z^l)
    }
    return crossEntropy(a, net.y);
  };
  return { params: [...W, ...b], loss };
}

/** p ← p − lr ∂L/∂p for every parameter, and the gradients cleared. */
function sgd(params: Tensor[], lr: number): void {
  noGrad(() => {
    for (const p of params) {
      p.data.set(p.sub((p.grad as Tensor).mul(lr)).data);
      p.zeroGrad();
    }
  });
}

/** `steps` SGD steps of both engines from the same parameters, gradients compared at every step. */
function lockstep(net: Network, steps: number): NetworkResult {
  const manual = new ManualMLP({ sizes: net.sizes, activation: net.activation, dtype: net.dtype, params: net.params });
  const auto = autogradNet(net);
  const layers = net.params.W.length;
  const digest = new Digest();
  let worst = 0;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = auto.loss();
    loss.backward();
    const ref = manual.lossAndGrads(net.x, net.y);
    worst = Math.max(worst, relDiff([loss.item()], [ref.loss]));
    for (let l = 0; l < layers; l++) {
      const dW = (auto.params[l].grad as Tensor).data;
      const db = (auto.params[layers + l].grad as Tensor).data;
      worst = Math.max(worst, relDiff(dW, ref.dW[l].data), relDiff(db, ref.db[l].data));
      for (const g of [dW, db, ref.dW[l].data, ref.db[l].data]) digest.add(g);
    }
    losses.push(loss.item());
    manual.sgdStep(net.x, net.y, net.lr);
    sgd(auto.params, net.lr);
  }
  for (const p of auto.params) digest.add(p.data);
  const final = manual.getParams();
  for (const w of [...final.W.flat(), ...final.b]) digest.add(w);
  digest.add(losses);
  return { worst, losses, digest: digest.hex() };
}

// Seeded data are uniform, not normal: Random.normal goes through Math.log, Math.sin and Math.cos, whose last bit
// differs between JS engines, and the runs are compared across engines.

/** A seeded uniform matrix (rows × cols) on [−bound, bound). */
function uniformRows(rng: Random, rows: number, cols: number, bound: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (2 * rng.uniform() - 1) * bound));
}

/** A ReLU network of `sizes` with He-scaled seeded weights (uniform, variance 2 / fan-in), on `rows` seeded inputs labelled by quadrant. */
function reluNetwork(seed: number, sizes: number[], rows: number, lr: number): Network {
  const rng = new Random(seed);
  const params = {
    W: sizes.slice(1).map((out, l) => uniformRows(rng, sizes[l], out, Math.sqrt(6 / sizes[l]))),
    b: sizes.slice(1).map((out) => new Array<number>(out).fill(0)),
  };
  const x = uniformRows(rng, rows, sizes[0], 1);
  const k = sizes[sizes.length - 1];
  const y = x.map((r) => ((r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 2 : 0)) % k); // the quadrant
  return { sizes, activation: 'relu', dtype: 'float32', params, x, y, lr };
}

export const NETWORKS = {
  chapter: (): Network => ({
    sizes: [...chapterExample.sizes],
    activation: 'sigmoid',
    dtype: 'float64',
    params: chapterExample.params,
    x: chapterExample.batch.x as number[][],
    y: chapterExample.batch.y as number[],
    lr: 0.5,
  }),
  spiral: (): Network => reluNetwork(2, [2, 64, 64, 3], 256, 0.5),
  mnist: (): Network => reluNetwork(3, [784, 256, 256, 10], 128, 0.1),
};

/** The products alone (no Math.exp or Math.log on the way): matmul, matmulNT, matmulTN on seeded uniform operands. */
export function productsDigest(): string {
  const rng = new Random(5);
  const digest = new Digest();
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [m, k, n] of [[64, 64, 64], [128, 784, 256], [256, 1024, 1024]]) {
      const a = rng.uniformArray(dtype, m * k, -1, 1);
      const b = rng.uniformArray(dtype, k * n, -1, 1);
      digest.add(matmul(a, b, allocate(dtype, m * n), m, k, n));
      digest.add(matmulNT(a, rng.uniformArray(dtype, n * k, -1, 1), allocate(dtype, m * n), m, k, n));
      digest.add(matmulTN(rng.uniformArray(dtype, k * m, -1, 1), b, allocate(dtype, m * n), m, k, n));
    }
  }
  return digest.hex();
}

/** The three networks in lockstep (50 steps of the chapter's, 10 of the spiral-shaped one, 4 of the mnist-shaped one), and the products. */
export function trainAndCompare(): WorkloadResults {
  return { chapter: lockstep(NETWORKS.chapter(), 50), spiral: lockstep(NETWORKS.spiral(), 10), mnist: lockstep(NETWORKS.mnist(), 4), products: productsDigest() };
}

/** Milliseconds of one training step, the median and the fastest of the steps timed. */
export interface StepTime {
  median: number;
  min: number;
}

/** The times of one autograd training step (forward, backward, SGD) and one manual sgdStep, after `warmup` steps. */
export function stepTimes(name: 'spiral' | 'mnist', steps: number, warmup: number): { autograd: StepTime; manual: StepTime } {
  const net = NETWORKS[name]();
  const auto = autogradNet(net);
  const manual = new ManualMLP({ sizes: net.sizes, activation: net.activation, dtype: net.dtype, params: net.params });
  const time = (run: () => void): StepTime => {
    for (let i = 0; i < warmup; i++) run();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      run();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)], min: times[0] };
  };
  return {
    autograd: time(() => {
      auto.loss().backward();
      sgd(auto.params, net.lr);
    }),
    manual: time(() => void manual.sgdStep(net.x, net.y, net.lr)),
  };
}
