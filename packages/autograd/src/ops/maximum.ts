import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import type { TensorLike } from '../tensor.ts';
import { mul } from './mul.ts';
import { binaryForward } from './operands.ts';
import { sumToShape } from './sum-to-shape.ts';

/** The (constant) share of the gradient that goes to `first`: see kernels greaterShare. */
function share(first: Tensor, second: Tensor, shape: Shape): Tensor {
  const out = k.allocateUninitialized(first.dtype, k.sizeOf(shape));
  return new Tensor(k.greaterShare(first.data, first.shape, second.data, second.shape, out, shape), shape);
}

/** [∂L/∂x, ∂L/∂y]: g times each side's share, summed back over the axes it was broadcast on. */
function splitGradient(g: Tensor, x: Tensor, y: Tensor, xShare: () => Tensor, yShare: () => Tensor): (Tensor | null)[] {
  return [x.requiresGrad ? sumToShape(mul(g, xShare()), x.shape) : null, y.requiresGrad ? sumToShape(mul(g, yShare()), y.shape) : null];
}

/**
 * Element-wise maximum with broadcasting, as `torch.maximum` (either side may be a number: `maximum(x, 0)` is a
 * ReLU). The gradient goes to the larger side; on a tie it is split evenly, as in PyTorch.
 */
export const maximum = defineOp('maximum', (a: TensorLike, b: TensorLike): OpResult => {
  const { x, y, shape, data } = binaryForward('maximum', k.maximum, a, b);
  return {
    data,
    shape,
    // ∂L/∂a = g ⊙ [a > b] + ½ g ⊙ [a = b], and the same for b
    backward(g) {
      return splitGradient(g, x, y, () => share(x, y, shape), () => share(y, x, shape));
    },
  };
});

/** Element-wise minimum with broadcasting, as `torch.minimum`; on a tie the gradient is split evenly. */
export const minimum = defineOp('minimum', (a: TensorLike, b: TensorLike): OpResult => {
  const { x, y, shape, data } = binaryForward('minimum', k.minimum, a, b);
  return {
    data,
    shape,
    // ∂L/∂a = g ⊙ [a < b] + ½ g ⊙ [a = b], and the same for b
    backward(g) {
      return splitGradient(g, x, y, () => share(y, x, shape), () => share(x, y, shape));
    },
  };
});
