import type { ActivationName, DType } from '@tapegrad/autograd/kernels';
import { activationByName, Random } from '@tapegrad/autograd/kernels';
import type { Batch } from '../datasets/dataset.ts';
import type { NetworkSpec, Params } from '../engine.ts';
import { flattenParams, hiddenActivations } from '../engine.ts';
import { initParams } from '../init.ts';

// A gradient problem: one network (sizes, hidden activations, softmax + mean cross-entropy on top), one set of
// parameters and one batch, in one dtype, handed to a user in plain arrays. The user computes gradients on it
// their own way; checkGradients computes the reference's on the very same values and compares.

/** A network as a user describes it, and optionally the parameters and batch to check at. */
export interface NetworkDescription {
  /** Layer widths [d, h_1, …, k]: k classes, softmax and mean cross-entropy on top. */
  readonly sizes: readonly number[];
  /** One activation for every hidden layer, or one per hidden layer: sigmoid, tanh, relu, leakyRelu, identity. */
  readonly activation: ActivationName | readonly ActivationName[];
  /** Default 'float64'. */
  readonly dtype?: DType;
  /** Rows of the seeded batch (default 8; x standard normal, labels uniform); ignored when `batch` is given. */
  readonly batchSize?: number;
  /** Seed of the parameters and the batch (default 0). */
  readonly seed?: number;
  /** Your parameters (W^l as in × out rows, at index l − 1); default a seeded initialisation. */
  readonly params?: Params;
  /** Your batch: x as rows of width d, one class index per row; default a seeded one (see batchSize). */
  readonly batch?: UserBatch;
}

/** A batch in plain arrays: N rows of d features, N class indices in [0, k). */
export interface UserBatch {
  readonly x: readonly (readonly number[])[];
  readonly labels: readonly number[];
}

export interface GradientProblem {
  readonly sizes: readonly number[];
  /** The activation of each hidden layer (hidden layer 1 at index 0). */
  readonly activations: readonly ActivationName[];
  readonly dtype: DType;
  /** W[l − 1] is W^l (in × out), b[l − 1] is b^l; values already rounded to the dtype. */
  readonly params: { readonly W: number[][][]; readonly b: number[][] };
  /** Values already rounded to the dtype. */
  readonly batch: { readonly x: number[][]; readonly labels: number[] };
}

const round = (dtype: DType) => (dtype === 'float32' ? Math.fround : (v: number) => v);

/** The problem's batch in the engines' flat format (x in float64, rounded to the dtype already). */
export function problemBatch(p: GradientProblem): Batch {
  const N = p.batch.x.length;
  const d = p.sizes[0];
  const x = new Float64Array(N * d);
  p.batch.x.forEach((row, r) => x.set(row, r * d));
  return { N, d, x, labels: Int32Array.from(p.batch.labels) };
}

/** The engines' network spec of a problem. */
export function problemSpec(p: GradientProblem): NetworkSpec {
  return { sizes: p.sizes, activation: p.activations };
}

function checkBatch(batch: UserBatch, sizes: readonly number[]): void {
  const [d, k] = [sizes[0], sizes[sizes.length - 1]];
  const N = batch.x.length;
  if (N === 0) throw new Error('gradientProblem: the batch has no rows');
  if (batch.labels.length !== N) throw new Error(`gradientProblem: ${N} rows of x but ${batch.labels.length} labels`);
  batch.x.forEach((row, r) => {
    if (row.length !== d) throw new Error(`gradientProblem: row ${r} of x has ${row.length} features; the network takes ${d} (sizes ${sizes.join('-')})`);
  });
  batch.labels.forEach((c, r) => {
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`gradientProblem: label ${c} of row ${r} is not a class index in [0, ${k - 1}]`);
  });
}

/**
 * The network, parameters and batch to compute gradients on, in plain arrays rounded to the dtype. Parameters are
 * the bench's seeded initialisation (see initParams) unless given, the batch seeded normal data unless given.
 */
export function gradientProblem(net: NetworkDescription): GradientProblem {
  const { sizes, dtype = 'float64', batchSize = 8, seed = 0 } = net;
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`gradientProblem: sizes [${sizes.join(', ')}]; expected at least two positive integer layer widths`);
  }
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`gradientProblem: dtype ${JSON.stringify(dtype)}; expected float32 or float64`);
  const activations = hiddenActivations({ sizes, activation: net.activation });
  activations.forEach((a) => activationByName(a, 'gradientProblem'));
  const r = round(dtype);
  const params = net.params ?? initParams(sizes, activations[0] ?? 'identity', seed);
  flattenParams(params, sizes, 'gradientProblem: params'); // checks every shape
  let batch: UserBatch;
  if (net.batch !== undefined) batch = net.batch;
  else {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`gradientProblem: batchSize ${batchSize}; expected a positive integer`);
    // x ~ N(0, 1): every unit of every layer sees inputs of order 1 (sparse image-like data leaves small networks
    // with all-zero rows, where act'(a) and act'(z) of tanh agree to 1e-7 and a mistake can hide)
    const rng = new Random(seed + 1);
    const [d, k] = [sizes[0], sizes[sizes.length - 1]];
    batch = { x: Array.from({ length: batchSize }, () => Array.from({ length: d }, () => rng.normal())), labels: Array.from({ length: batchSize }, () => rng.int(k)) };
  }
  checkBatch(batch, sizes);
  return {
    sizes: [...sizes],
    activations,
    dtype,
    params: { W: params.W.map((w) => w.map((row) => row.map(r))), b: params.b.map((b) => b.map(r)) },
    batch: { x: batch.x.map((row) => row.map(r)), labels: [...batch.labels] },
  };
}
