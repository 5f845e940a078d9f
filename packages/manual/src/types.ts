import type { ActivationName, DType, FloatArray } from '@tapegrad/autograd/kernels';

/**
 * A flat row-major buffer with its shape: `[rows, cols]` for a matrix, `[cols]` for a bias row.
 * Everything the engine hands out (a^n, ∂loss/∂W^l, ∂loss/∂b^l, trace symbols) has this form.
 */
export interface Matrix {
  readonly data: FloatArray;
  readonly shape: readonly number[];
}

/** A flat row-major input with its shape, e.g. `{ data: Float32Array, shape: [N, d] }`. */
export interface FlatInput {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** Nested rows, `rows[r][j]`: plain arrays or typed arrays per row. */
export type Rows = readonly ArrayLike<number>[];

/**
 * The input x: nested rows (N × d), a single sample as one flat row of width d (a batch of 1),
 * or a flat buffer with its shape `[N, d]` (or `[d]` for one sample).
 */
export type XInput = Rows | readonly number[] | FloatArray | FlatInput;

/** Soft targets: rows of probabilities that each sum to 1 (opt-in; plain rows must be one-hot). */
export interface ProbabilityTargets {
  readonly probabilities: Rows | FlatInput;
}

/**
 * The targets y, one per row of x:
 * - class indices: a number (batch of 1) or a flat list / typed array with one integer per row;
 *   for a batch of 1, a flat list of length k (k > 1) is read as that sample's one-hot row, as in the chapter;
 * - one-hot rows: nested rows (N × k) or `{ data, shape: [N, k] }`;
 * - probability rows, only when asked for explicitly: `{ probabilities: rows }`.
 */
export type YInput = number | ArrayLike<number> | Rows | FlatInput | ProbabilityTargets;

/** Parameters as plain nested arrays, 0-based lists of layers (layer 1 at index 0), W^l as (in × out) rows. */
export interface MLPParams {
  readonly W: readonly (readonly (readonly number[])[])[];
  readonly b: readonly (readonly number[])[];
}

/** The parameters `getParams()` returns: fresh nested arrays the caller owns. */
export interface MLPParamsCopy {
  W: number[][][];
  b: number[][];
}

export interface ManualMLPOptions {
  /** Layer widths `[d, h_1, …, h_{n-1}, k]`: d inputs, k classes; `[d, k]` is softmax regression. */
  readonly sizes: readonly number[];
  /** One activation for every hidden layer, or a list with one per hidden layer. */
  readonly activation: ActivationName | readonly ActivationName[];
  /** Element type of every buffer; default 'float32', as in PyTorch and autograd. */
  readonly dtype?: DType;
  /** Seed of the weight initialisation when `params` is not given; default 0. */
  readonly seed?: number;
  /** Start from these parameters instead of a seeded initialisation. */
  readonly params?: MLPParams;
  /**
   * Anomaly mode (default false): every pass checks its symbols in the chapter's order and throws at the first NaN
   * or ±Infinity, naming the layer and the equation (z^l, a^l, the loss, δ^l, ∂loss/∂W^l, ∂loss/∂b^l). The
   * `detectAnomaly` property switches it later.
   */
  readonly detectAnomaly?: boolean;
}

/** ∂loss/∂W^l and ∂loss/∂b^l for every layer, 0-based (layer 1 at index 0). */
export interface Gradients {
  readonly dW: readonly Matrix[];
  readonly db: readonly Matrix[];
}

export interface LossAndGradients extends Gradients {
  /** Mean cross-entropy over the batch. */
  readonly loss: number;
}

/** Every symbol of the chapter for one layer l (copies, owned by the caller). */
export interface TraceLayer {
  /** The chapter's 1-based layer number l. */
  readonly l: number;
  /** act of this layer, or 'softmax' for the output layer n. */
  readonly activation: ActivationName | 'softmax';
  /** W^l (in × out) and b^l (out), as they were when the trace was taken. */
  readonly W: Matrix;
  readonly b: Matrix;
  /** z^l = a^{l-1} W^l + b^l (N × out) */
  readonly z: Matrix;
  /** a^l = act(z^l), or softmax(z^n) for l = n (N × out) */
  readonly a: Matrix;
  /** δ^l = ∂loss/∂z^l (N × out) */
  readonly delta: Matrix;
  /** ∂loss/∂W^l = (a^{l-1})ᵀ δ^l (in × out) */
  readonly dW: Matrix;
  /** ∂loss/∂b^l = Σ_rows δ^l (out) */
  readonly db: Matrix;
}

/** The chapter's computation for one batch, symbol by symbol. */
export interface Trace {
  readonly sizes: readonly number[];
  /** Batch size N. */
  readonly N: number;
  /** a^0 = x (N × d) */
  readonly a0: Matrix;
  /** The targets as dense rows y (N × k). */
  readonly y: Matrix;
  readonly loss: number;
  /** Layers 1 … n at indices 0 … n−1. */
  readonly layers: readonly TraceLayer[];
}
