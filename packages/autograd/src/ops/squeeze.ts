import * as k from '../kernels/index.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';
import { reshape } from './reshape.ts';

// Shape-only changes: each is a reshape to a shape computed here (so the gradient is reshaped back), with its own
// checks and messages. Like reshape they copy the data (tapegrad has no views).

/** Where a new axis goes among the axes of `shape` (0 … rank, or −rank−1 … −1 counting from the end). */
export function newAxis(op: string, axis: number, shape: k.Shape): number {
  const rank = shape.length;
  if (!Number.isInteger(axis) || axis < -rank - 1 || axis > rank) {
    throw new Error(
      `${op}: axis ${axis} is out of range for a new axis of a tensor of shape ${k.shapeStr(shape)} (expected ${-rank - 1} … ${rank})`,
    );
  }
  return axis < 0 ? axis + rank + 1 : axis;
}

/** `a` with a new axis of length 1 inserted at `axis` (−1 appends it), as `torch.unsqueeze`. */
export function unsqueeze(a: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', a);
  const ax = newAxis('unsqueeze', axis, a.shape);
  const shape = a.shape.slice();
  shape.splice(ax, 0, 1);
  return reshape(a, shape);
}

/**
 * `a` without its axes of length 1 (all of them, or the ones given), as `torch.squeeze`. Unlike PyTorch, which
 * leaves an axis of another length alone, naming such an axis is an error (as in NumPy): it is almost always a bug.
 */
export function squeeze(a: Tensor, axis?: number | readonly number[] | null): Tensor {
  checkTensor('squeeze', a);
  const axes = axis === undefined || axis === null ? a.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : k.normalizeAxes('squeeze', axis, a.ndim);
  for (const ax of axes) {
    if (a.shape[ax] !== 1) {
      throw new Error(`squeeze: axis ${ax} has length ${a.shape[ax]} (shape ${k.shapeStr(a.shape)}); only axes of length 1 can be removed`);
    }
  }
  return reshape(
    a,
    a.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** Axes `startAxis` … `endAxis` (inclusive, default all) merged into one, as `torch.flatten`; a scalar becomes [1]. */
export function flatten(a: Tensor, startAxis: number = 0, endAxis: number = -1): Tensor {
  checkTensor('flatten', a);
  if (a.ndim === 0) return reshape(a, [1]);
  const start = k.normalizeAxis('flatten', startAxis, a.ndim);
  const end = k.normalizeAxis('flatten', endAxis, a.ndim);
  if (start > end) throw new Error(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis} (shape ${k.shapeStr(a.shape)})`);
  const shape = [...a.shape.slice(0, start), k.sizeOf(a.shape.slice(start, end + 1)), ...a.shape.slice(end + 1)];
  return reshape(a, shape);
}
