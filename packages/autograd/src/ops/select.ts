import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { normalizePosition, pickAlongAxis, withAxisLength } from './along-axis.ts';
import { checkTensor } from './operands.ts';

function selectForward(op: string, a: Tensor, axis: number, index: number): OpResult {
  checkTensor(op, a);
  if (a.ndim === 0) throw new Error(`${op}: cannot index a scalar (shape []); expected a tensor with at least one axis`);
  const ax = k.normalizeAxis(op, axis, a.ndim);
  const i = normalizePosition(op, a, ax, index);
  return pickAlongAxis(a, ax, [i], withAxisLength(a.shape, ax, null));
}

/**
 * The slice at `index` along `axis`, that axis removed: `select(x, 1, 2)` is PyTorch's `x.select(1, 2)` and
 * `x[:, 2]`. A negative index counts from the end. A copy; the gradient flows back into that slice.
 */
export const select = defineOp('select', (a: Tensor, axis: number, index: number): OpResult => selectForward('select', a, axis, index));

/**
 * Row `index` of `a` (the slice at `index` along axis 0), like PyTorch's `x[i]` and JavaScript's `Array.at`:
 * a negative index counts from the end. JavaScript has no `x[i]` for a tensor (it reads a missing property, so it
 * is silently `undefined`): write `x.at(i)`. A differentiable op, so gradients flow back into that row.
 */
export const at = defineOp('at', (a: Tensor, index: number): OpResult => selectForward('at', a, 0, index));
