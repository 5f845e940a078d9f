import type { FloatArray, Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import { Tensor } from '../tensor.ts';
import type { TensorLike } from '../tensor.ts';
import { checkTensor, operands } from './operands.ts';

// Comparisons give masks: 1 where the relation holds, 0 elsewhere, in the first tensor operand's dtype (tapegrad
// has no boolean tensors), broadcast as arithmetic is. A mask has no gradient (the relation is piecewise constant),
// so these are not recorded and their output never requires grad, as in PyTorch. Masks feed `where`, `mul`, and
// counting: `pred.eq(labels).mean()` is an accuracy.

type Kernel = (a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape) => FloatArray;

function compare(op: string, kernel: Kernel, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(op, a, b);
  const shape = k.broadcastShapes(op, x.shape, y.shape);
  return new Tensor(kernel(x.data, x.shape, y.data, y.shape, k.allocateUninitialized(x.dtype, k.sizeOf(shape)), shape), shape);
}

/** 1 where a > b, else 0 (no gradient). */
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare('gt', k.greater, a, b);
/** 1 where a < b, else 0 (no gradient). */
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare('lt', k.less, a, b);
/** 1 where a ≥ b, else 0 (no gradient). */
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare('ge', k.greaterEqual, a, b);
/** 1 where a ≤ b, else 0 (no gradient). */
export const le = (a: TensorLike, b: TensorLike): Tensor => compare('le', k.lessEqual, a, b);
/** 1 where a = b, else 0 (no gradient). */
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare('eq', k.equal, a, b);
/** 1 where a ≠ b, else 0 (no gradient). */
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare('ne', k.notEqual, a, b);

/** −1, 0 or 1 by the sign of each element (no gradient: its derivative is 0 wherever it exists). */
export function sign(a: Tensor): Tensor {
  checkTensor('sign', a);
  return new Tensor(k.sign(a.data, k.allocateUninitialized(a.dtype, a.size)), a.shape);
}
