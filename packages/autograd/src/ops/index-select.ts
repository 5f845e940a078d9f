import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { checkPositions, pickAlongAxis, withAxisLength } from './along-axis.ts';
import { checkTensor } from './operands.ts';

/** Indices given as a list, a typed array or a 1-D tensor, as a plain list of numbers. */
function indexList(op: string, index: unknown): ArrayLike<number> {
  if (index instanceof Tensor) {
    if (index.ndim !== 1) throw new Error(`${op}: the index tensor must be 1-D, got shape ${k.shapeStr(index.shape)}`);
    return index.data;
  }
  if (Array.isArray(index) || (ArrayBuffer.isView(index) && !(index instanceof DataView))) return index as ArrayLike<number>;
  throw new Error(`${op}: expected the indices as a list of integers, a typed array or a 1-D tensor, got ${typeof index}`);
}

/**
 * The slices at `index` along `axis`, in that order (repeats allowed), as PyTorch's `x.index_select(axis, index)`:
 * the axis gets length `index.length`. The way to gather a batch of rows: `indexSelect(x, 0, batchIndices)`.
 */
export function indexSelect(a: Tensor, axis: number, index: ArrayLike<number> | Tensor): Tensor {
  return indexSelectOp(a, axis, indexList('indexSelect', index));
}

const indexSelectOp = defineOp('indexSelect', (a: Tensor, axis: number, index: ArrayLike<number>): OpResult => {
  checkTensor('indexSelect', a);
  if (a.ndim === 0) throw new Error('indexSelect: cannot index a scalar (shape []); expected a tensor with at least one axis');
  const ax = k.normalizeAxis('indexSelect', axis, a.ndim);
  checkPositions('indexSelect', a, ax, index);
  return pickAlongAxis(a, ax, index, withAxisLength(a.shape, ax, index.length));
});
