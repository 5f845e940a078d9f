import type { FloatArray } from './dtype.ts';
import { formatValue } from './format.ts';
import type { Shape } from './shape.ts';

// Softmax along one axis of a row-major tensor. The tensor is viewed as [outer, len, inner]: the axis has
// `len` entries spaced `inner` apart. Every slice has its maximum subtracted first, so logits of ±1000 (and far
// beyond) stay finite: softmax(z)_i = e^{z_i − m} / Σ_j e^{z_j − m}, logSoftmax(z)_i = z_i − m − ln Σ_j e^{z_j − m}.

/** [outer, len, inner] for `axis` of `shape`. */
export function axisView(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}

function softmaxInto(x: FloatArray, shape: Shape, axis: number, out: FloatArray, takeLog: boolean): FloatArray {
  const [outer, len, inner] = axisView(shape, axis);
  if (inner === 1 && !takeLog) return softmaxLastAxis(x, outer, len, out);
  for (let o = 0; o < outer; o++) {
    for (let q = 0; q < inner; q++) {
      const base = o * len * inner + q;
      let m = -Infinity;
      for (let i = 0; i < len; i++) m = Math.max(m, x[base + i * inner]);
      if (m === -Infinity) m = 0; // an all −∞ slice: keep NaN-free arithmetic below produce its own result
      let s = 0;
      for (let i = 0; i < len; i++) s += Math.exp(x[base + i * inner] - m);
      if (takeLog) {
        const lse = m + Math.log(s);
        for (let i = 0; i < len; i++) out[base + i * inner] = x[base + i * inner] - lse;
      } else {
        for (let i = 0; i < len; i++) out[base + i * inner] = Math.exp(x[base + i * inner] - m) / s;
      }
    }
  }
  return out;
}

/** The e^{z_j − m} of one row, kept in float64 between the sum and the division (a float32 `out` would round them). */
let rowExp = new Float64Array(16);

/**
 * Softmax of each contiguous row (the last axis): the same arithmetic as softmaxInto, bit for bit, with each
 * e^{z_j − m} computed once instead of once for the sum and again for the output (Math.exp is most of the cost).
 */
function softmaxLastAxis(x: FloatArray, rows: number, len: number, out: FloatArray): FloatArray {
  if (rowExp.length < len) rowExp = new Float64Array(len);
  const e = rowExp;
  for (let r = 0; r < rows; r++) {
    const base = r * len;
    let m = -Infinity;
    for (let i = 0; i < len; i++) m = Math.max(m, x[base + i]);
    if (m === -Infinity) m = 0;
    let s = 0;
    for (let i = 0; i < len; i++) {
      const v = Math.exp(x[base + i] - m);
      e[i] = v;
      s += v;
    }
    for (let i = 0; i < len; i++) out[base + i] = e[i] / s;
  }
  return out;
}

/** out = softmax(x) along `axis` */
export function softmax(x: FloatArray, shape: Shape, axis: number, out: FloatArray): FloatArray {
  return softmaxInto(x, shape, axis, out, false);
}

/** out = log softmax(x) along `axis` */
export function logSoftmax(x: FloatArray, shape: Shape, axis: number, out: FloatArray): FloatArray {
  return softmaxInto(x, shape, axis, out, true);
}

/** out (rows × cols) = softmax of each row: the output layer a^n = softmax(z^n). */
export function softmaxRows(z: FloatArray, out: FloatArray, rows: number, cols: number): FloatArray {
  return softmaxInto(z, [rows, cols], 1, out, false);
}

/**
 * Throws unless `labels` holds `rows` integers in [0, classes): the rule of both engines for class indices, given
 * as a number list or any typed array (Int32Array, Float64Array, Uint8Array…), each entry a number that is an integer.
 */
export function checkLabels(op: string, labels: ArrayLike<number>, rows: number, classes: number): void {
  if (labels.length !== rows) {
    throw new Error(`${op}: got ${labels.length} labels for a batch of ${rows} rows; expected one class index per row`);
  }
  for (let r = 0; r < rows; r++) {
    const k = labels[r];
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new Error(`${op}: label ${formatValue(k)} at row ${r} is not a class index; expected an integer in [0, ${classes - 1}]`);
    }
  }
}

/** Probability rows must sum to 1 within this (they can come from float32 data). */
export const PROBABILITY_SUM_TOLERANCE = 1e-6;

/**
 * Throws unless the `cols` values of `row` from `base` are a probability distribution: each finite and in [0, 1],
 * summing to 1 within PROBABILITY_SUM_TOLERANCE. The rule of both engines for soft targets; `name` is how the
 * message names the targets (`target`, `y.probabilities`) and `r` the row.
 */
export function checkProbabilityRow(op: string, name: string, row: ArrayLike<number>, base: number, cols: number, r: number): void {
  let sum = 0;
  for (let j = 0; j < cols; j++) {
    const v = row[base + j];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new Error(`${op}: ${name}[${r}][${j}] is ${formatValue(v)}; expected probabilities in [0, 1]`);
    }
    sum += v;
  }
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    throw new Error(`${op}: ${name} row ${r} sums to ${sum}; expected probability rows that sum to 1`);
  }
}

/** log Σ_j e^{z_j} over the `cols` entries from `offset`, as m + log Σ_j e^{z_j − m} with m the row maximum. */
function logSumExpRow(z: FloatArray, offset: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) m = Math.max(m, z[offset + j]);
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(z[offset + j] - m);
  return m + Math.log(s);
}

// The mean over the batch is the sum, then one division, as the textbook writes it; when that sum overflows, it is
// Σ_r (loss_r / N) instead, which never does while every loss_r is finite (each is ≥ 0, so the sum is at most the
// largest): 70 rows of loss 2e307 have the mean 2e307, not Infinity. The second pass runs only when the first sum
// is not finite, so every other result is the plain sum's, bit for bit.

/** The cross-entropy of row r against class k: logsumexp(z_r) − z_{r,k}. */
function rowLossIndex(z: FloatArray, r: number, cols: number, k: number): number {
  return logSumExpRow(z, r * cols, cols) - z[r * cols + k];
}

/**
 * Mean cross-entropy of logits z (rows × cols) against class indices: (1/N) Σ_r [logsumexp(z_r) − z_{r,k_r}].
 * Computed from the logits, never from probabilities, so large logits give the exact finite loss.
 */
export function crossEntropyIndices(z: FloatArray, labels: ArrayLike<number>, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) total += rowLossIndex(z, r, cols, labels[r]);
  if (Number.isFinite(total)) return total / rows;
  let mean = 0;
  for (let r = 0; r < rows; r++) mean += rowLossIndex(z, r, cols, labels[r]) / rows;
  return mean;
}

/** The cross-entropy of row r against target row y_r, −Σ_j y_{rj} (z_{rj} − logsumexp(z_r)), subtracted from `from`. */
function subtractRowLossTargets(from: number, z: FloatArray, y: FloatArray, r: number, cols: number): number {
  const o = r * cols;
  const lse = logSumExpRow(z, o, cols);
  let total = from;
  for (let j = 0; j < cols; j++) if (y[o + j] !== 0) total -= y[o + j] * (z[o + j] - lse);
  return total;
}

/** Mean cross-entropy against target rows y (one-hot or probabilities): (1/N) Σ_r Σ_j −y_{rj} log softmax(z_r)_j. */
export function crossEntropyTargets(z: FloatArray, y: FloatArray, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) total = subtractRowLossTargets(total, z, y, r, cols);
  if (Number.isFinite(total)) return total / rows;
  let mean = 0;
  for (let r = 0; r < rows; r++) mean += subtractRowLossTargets(0, z, y, r, cols) / rows;
  return mean;
}

/** out (rows × cols) = one-hot rows for class indices. */
export function oneHot(labels: ArrayLike<number>, out: FloatArray, rows: number, cols: number): FloatArray {
  out.fill(0);
  for (let r = 0; r < rows; r++) out[r * cols + labels[r]] = 1;
  return out;
}

/**
 * out (rows × cols) = (softmax(z) − onehot(labels)) · scale, row by row: with scale = 1/N this is the chapter's
 * δ^n = (a^n − y)/N, computed from the logits in one pass.
 */
export function crossEntropyIndicesGrad(
  z: FloatArray, labels: ArrayLike<number>, rows: number, cols: number, scale: number, out: FloatArray,
): FloatArray {
  softmaxInto(z, [rows, cols], 1, out, false);
  for (let r = 0; r < rows; r++) out[r * cols + labels[r]] -= 1;
  for (let i = 0; i < rows * cols; i++) out[i] *= scale;
  return out;
}
