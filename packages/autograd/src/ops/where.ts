import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import type { TensorLike } from '../tensor.ts';
import { operands, scalar } from './operands.ts';
import { sumToShape } from './sum-to-shape.ts';

/** A condition: non-zero means true. Plain data, not a tensor argument: it takes no gradient and may be any dtype. */
export interface Mask {
  readonly data: ArrayLike<number>;
  readonly shape: Shape;
}

/**
 * a where `cond` is non-zero, b elsewhere, as `torch.where(cond, a, b)`: cond, a and b broadcast together; a or b
 * may be a number. `cond` is usually a mask from gt/lt/eq. The gradient goes to whichever side was chosen.
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (!(cond instanceof Tensor)) throw new Error(`where: the condition must be a Tensor (a mask from gt, lt, eq, …), got ${typeof cond}`);
  if (!(a instanceof Tensor) && typeof a !== 'number') throw new Error(`where: expected a Tensor or a number for a, got ${typeof a}`);
  const first = a instanceof Tensor || b instanceof Tensor ? a : scalar(a, cond.dtype);
  return whereMask({ data: cond.data, shape: cond.shape }, first, b);
}

/** where() with its condition as plain data: what backward rules use with a mask they computed. */
export const whereMask = defineOp('where', (cond: Mask, a: TensorLike, b: TensorLike): OpResult => {
  const [x, y] = operands('where', a, b);
  const shape = k.broadcastShapes('where', k.broadcastShapes('where', cond.shape, x.shape), y.shape);
  return {
    data: k.where(cond.data, cond.shape, x.data, x.shape, y.data, y.shape, k.allocateUninitialized(x.dtype, k.sizeOf(shape)), shape),
    shape,
    // ∂L/∂a = g where cond, 0 elsewhere; ∂L/∂b = g where not cond; each summed back over the axes it was broadcast on
    backward(g) {
      return [
        null,
        x.requiresGrad ? sumToShape(whereMask(cond, g, 0), x.shape) : null,
        y.requiresGrad ? sumToShape(whereMask(cond, 0, g), y.shape) : null,
      ];
    },
  };
});
