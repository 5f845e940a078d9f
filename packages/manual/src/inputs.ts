import type { FloatArray } from '@tapegrad/autograd/kernels';
import { allFinite, checkLabels, checkProbabilityRow, formatValue, oneHot, shapeStr } from '@tapegrad/autograd/kernels';
import type { FlatInput, ProbabilityTargets, Rows, XInput, YInput } from './types.ts';

// Reading x and y into the engine's own buffers, with every check the chapter takes for granted: x rows of
// width d = sizes[0] and finite, y one class index or one one-hot row per sample. Each reader works in two
// steps, first measuring (how many rows N: decides which per-batch buffers to use), then copying into them,
// so nothing is allocated per call.

/** How the targets were given; 'probabilities' only when asked for with `{ probabilities }`. */
export type TargetKind = 'indices' | 'onehot' | 'probabilities';

function isFlatInput(v: unknown): v is FlatInput {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'data' in v && 'shape' in v;
}

function isProbabilities(v: unknown): v is ProbabilityTargets {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'probabilities' in v;
}

function isNested(v: unknown): v is Rows {
  return Array.isArray(v) && v.length > 0 && isFlatList(v[0]);
}

function isFlatList(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** "1 column", "5 columns" */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The number of rows N of `x`, after checking that every row has width d = sizes[0]. */
export function measureX(where: string, x: XInput, d: number): number {
  const expected = `expected rows of width ${d}`;
  if (isFlatInput(x)) {
    const { data, shape } = x;
    if (!isFlatList(data)) throw new Error(`${where}: x.data is not an array or typed array; expected flat row-major values`);
    if (!Array.isArray(shape) || (shape.length !== 1 && shape.length !== 2) || !shape.every(Number.isInteger)) {
      throw new Error(`${where}: x.shape is ${formatValue(shape)}; expected [N, ${d}] or [${d}]`);
    }
    const rows = shape.length === 2 ? shape[0] : 1;
    const cols = shape[shape.length - 1];
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`${where}: x.shape ${shapeStr(shape)} has ${count(rows, 'row')}; expected at least one sample`);
    if (cols !== d) throw new Error(`${where}: x has ${count(cols, 'column')} but sizes[0] is ${d}; ${expected}`);
    if (data.length !== rows * cols) {
      throw new Error(`${where}: x.data has ${count(data.length, 'value')} but x.shape ${shapeStr(shape)} needs ${rows * cols}`);
    }
    return rows;
  }
  if (isNested(x)) {
    if (x[0].length !== d) throw new Error(`${where}: x has ${count(x[0].length, 'column')} but sizes[0] is ${d}; ${expected}`);
    for (let r = 1; r < x.length; r++) {
      const row = x[r];
      if (!isFlatList(row)) throw new Error(`${where}: x row ${r} is not an array; ${expected}`);
      if (row.length !== d) throw new Error(`${where}: x row ${r} has ${count(row.length, 'column')} but sizes[0] is ${d}; ${expected}`);
    }
    return x.length;
  }
  if (isFlatList(x)) {
    if (x.length === 0) throw new Error(`${where}: x is empty; expected at least one sample of width ${d}`);
    if (x.length !== d) {
      throw new Error(
        `${where}: x is a flat row of ${count(x.length, 'value')} but sizes[0] is ${d}; ` +
          `expected one sample of width ${d}, or nested rows / { data, shape: [N, ${d}] } for a batch`,
      );
    }
    return 1;
  }
  throw new Error(`${where}: x is ${formatValue(x)}; expected nested rows, one flat row, or { data, shape: [N, ${d}] }`);
}

/** Copies x (already measured: N × d) into `out`, rejecting NaN, ±Infinity and values the dtype cannot hold. */
export function copyX(where: string, x: XInput, N: number, d: number, out: FloatArray): void {
  const nested = isNested(x);
  const flat: ArrayLike<number> | null = nested ? null : isFlatInput(x) ? x.data : (x as ArrayLike<number>);
  if (flat instanceof Float32Array || flat instanceof Float64Array) {
    // A typed array: one bulk copy (converting float64 → float32 if need be), then one scan of what was stored.
    out.set(flat.subarray(0, N * d));
    if (allFinite(out, N * d)) return;
  }
  for (let r = 0; r < N; r++) {
    const row: ArrayLike<number> = nested ? (x as Rows)[r] : (flat as ArrayLike<number>);
    const base = nested ? 0 : r * d;
    const o = r * d;
    for (let j = 0; j < d; j++) {
      const v = row[base + j];
      out[o + j] = v;
      if (!Number.isFinite(v) || !Number.isFinite(out[o + j])) {
        const what = Number.isFinite(v) ? `${v}, which overflows ${out instanceof Float32Array ? 'float32' : 'float64'}` : formatValue(v);
        throw new Error(`${where}: x[${r}][${j}] is ${what}; expected finite numbers`);
      }
    }
  }
}

/** The number of target rows y gives (to compare with the N of x). */
function targetRows(y: YInput, k: number, N: number): number | null {
  if (typeof y === 'number') return 1;
  if (isProbabilities(y)) return null;
  if (isFlatInput(y)) return Array.isArray(y.shape) && y.shape.length >= 1 ? y.shape[0] : null;
  if (isNested(y)) return y.length;
  if (isFlatList(y)) return N === 1 && k > 1 && y.length === k ? 1 : y.length;
  return null;
}

function checkOneHotRow(where: string, row: ArrayLike<number>, base: number, k: number, r: number, labels: Int32Array): void {
  let hot = -1;
  let ok = true;
  for (let j = 0; j < k; j++) {
    const v = row[base + j];
    if (v === 1 && hot === -1) hot = j;
    else if (v !== 0) ok = false;
  }
  if (!ok || hot === -1) {
    const shown = Array.from({ length: k }, (_, j) => formatValue(row[base + j])).join(', ');
    throw new Error(
      `${where}: y row ${r} is not one-hot: [${shown}]; expected a single 1 and 0 elsewhere ` +
        `(pass { probabilities: rows } for soft targets)`,
    );
  }
  labels[r] = hot;
}

/** Calls `visit(row, base, r)` for each of the N target rows (nested or flat), after checking their shape. */
function forEachRow(
  where: string,
  name: string,
  y: Rows | FlatInput,
  N: number,
  k: number,
  visit: (row: ArrayLike<number>, base: number, r: number) => void,
): void {
  const width = `expected rows of width ${k}, one column per class`;
  if (isFlatInput(y)) {
    const { data, shape } = y;
    if (!Array.isArray(shape) || shape.length !== 2 || shape[1] !== k) {
      throw new Error(`${where}: ${name}.shape is ${formatValue(shape)}; expected [${N}, ${k}]`);
    }
    if (shape[0] !== N) throw new Error(`${where}: ${name} has ${count(shape[0], 'row')} but x has ${N}; expected one target row per sample`);
    if (!isFlatList(data) || data.length !== N * k) {
      const got = isFlatList(data) ? count(data.length, 'value') : formatValue(data);
      throw new Error(`${where}: ${name}.data has ${got} but ${name}.shape ${shapeStr(shape)} needs ${N * k} values`);
    }
    for (let r = 0; r < N; r++) visit(data, r * k, r);
    return;
  }
  if (!Array.isArray(y)) throw new Error(`${where}: ${name} is ${formatValue(y)}; ${width}`);
  if (y.length !== N) throw new Error(`${where}: ${name} has ${count(y.length, 'row')} but x has ${N}; expected one target row per sample`);
  for (let r = 0; r < N; r++) {
    const row = y[r];
    if (!isFlatList(row)) throw new Error(`${where}: ${name} row ${r} is not an array; ${width}`);
    if (row.length !== k) throw new Error(`${where}: ${name} row ${r} has ${count(row.length, 'column')} but there are ${k} classes; ${width}`);
    visit(row, 0, r);
  }
}

function readProbabilities(where: string, y: ProbabilityTargets, N: number, k: number, Y: FloatArray): void {
  forEachRow(where, 'y.probabilities', y.probabilities, N, k, (row, base, r) => {
    checkProbabilityRow(where, 'y.probabilities', row, base, k, r); // the rule autograd's crossEntropy applies too
    for (let j = 0; j < k; j++) Y[r * k + j] = row[base + j];
  });
}

/**
 * Reads the targets for a batch of N rows and k classes into dense rows `Y` (N × k) and, for class indices
 * and one-hot rows, into `labels` (the loss is then computed from the index, exactly). Returns how they were given.
 */
export function readY(where: string, y: YInput, N: number, k: number, labels: Int32Array, Y: FloatArray): TargetKind {
  if (isFlatInput(y) && !(Array.isArray(y.shape) && (y.shape.length === 1 || y.shape.length === 2) && y.shape.every(Number.isInteger))) {
    const got = formatValue(y.shape);
    throw new Error(`${where}: y.shape is ${got}; expected [${N}] for class indices or [${N}, ${k}] for one-hot rows`);
  }
  const rows = targetRows(y, k, N);
  if (rows !== null && rows !== N) {
    throw new Error(`${where}: y has ${count(rows, 'target')} but x has ${count(N, 'row')}; expected one class index or one-hot row per sample`);
  }
  if (isProbabilities(y)) {
    readProbabilities(where, y, N, k, Y);
    return 'probabilities';
  }
  if (typeof y === 'number') {
    checkLabels(where, [y], 1, k);
    labels[0] = y;
    oneHot(labels, Y, N, k);
    return 'indices';
  }
  const oneHotRows = isNested(y) || (isFlatInput(y) && y.shape.length === 2);
  const singleOneHotRow = !oneHotRows && isFlatList(y) && N === 1 && k > 1 && y.length === k;
  if (oneHotRows || singleOneHotRow) {
    const visit = (row: ArrayLike<number>, base: number, r: number) => checkOneHotRow(where, row, base, k, r, labels);
    if (singleOneHotRow) visit(y as ArrayLike<number>, 0, 0);
    else forEachRow(where, 'y', y as Rows | FlatInput, N, k, visit);
    oneHot(labels, Y, N, k);
    return 'onehot';
  }
  const list = isFlatInput(y) ? y.data : y;
  if (!isFlatList(list)) {
    throw new Error(`${where}: y is ${formatValue(y)}; expected class indices, one-hot rows, or { probabilities: rows }`);
  }
  checkLabels(where, list, N, k);
  for (let r = 0; r < N; r++) labels[r] = list[r];
  oneHot(labels, Y, N, k);
  return 'indices';
}
