import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkInteger, pickAlongAxis, withAxisLength } from './along-axis.ts';
import { checkTensor } from './operands.ts';

function axisOf(op: string, a: Tensor, axis: number): number {
  checkTensor(op, a);
  if (a.ndim === 0) throw new Error(`${op}: cannot slice a scalar (shape []); expected a tensor with at least one axis`);
  return k.normalizeAxis(op, axis, a.ndim);
}

/**
 * `length` consecutive slices along `axis` from `start` (negative counts from the end), as PyTorch's
 * `x.narrow(axis, start, length)`; unlike `slice` the range must lie inside the axis. A copy.
 */
export const narrow = defineOp('narrow', (a: Tensor, axis: number, start: number, length: number): OpResult => {
  const ax = axisOf('narrow', a, axis);
  const n = a.shape[ax];
  let s = checkInteger('narrow', 'start', start);
  const len = checkInteger('narrow', 'length', length);
  if (s < -n || s > n) {
    throw new Error(`narrow: start ${s} is out of range for axis ${ax} of size ${n} (shape ${k.shapeStr(a.shape)}); expected ${-n} … ${n}`);
  }
  if (s < 0) s += n;
  if (len < 0 || s + len > n) {
    throw new Error(
      `narrow: start ${s} with length ${len} does not fit in axis ${ax} of size ${n} (shape ${k.shapeStr(a.shape)}); ` +
        `expected a length in 0 … ${n - s}`,
    );
  }
  return pickAlongAxis(a, ax, k.arithmeticPositions(s, len), withAxisLength(a.shape, ax, len));
});

/** A slice bound, Python style: negative counts from the end, then clamped to [0, n]. */
function bound(value: number, n: number): number {
  return Math.min(Math.max(value < 0 ? value + n : value, 0), n);
}

/**
 * The slices `start`, `start + step`, … before `end` along `axis`, with Python's slicing rules: `slice(x, 1, 2, 5)`
 * is `x[:, 2:5]`, negative bounds count from the end and bounds past either end are clamped (`x[:, -2:]` is
 * `slice(x, 1, -2)`). `start` defaults to 0, `end` to the axis's length, `step` (positive) to 1. A copy.
 */
export const slice = defineOp('slice', (a: Tensor, axis: number, start?: number | null, end?: number | null, step: number = 1): OpResult => {
  const ax = axisOf('slice', a, axis);
  const n = a.shape[ax];
  const s = bound(start == null ? 0 : checkInteger('slice', 'start', start), n);
  const e = bound(end == null ? n : checkInteger('slice', 'end', end), n);
  if (checkInteger('slice', 'step', step) <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const count = Math.max(0, Math.ceil((e - s) / step));
  return pickAlongAxis(a, ax, k.arithmeticPositions(s, count, step), withAxisLength(a.shape, ax, count));
});
