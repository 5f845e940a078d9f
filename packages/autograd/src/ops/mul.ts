import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { TensorLike } from '../tensor.ts';
import { operands } from './operands.ts';
import { sumToShape } from './sum-to-shape.ts';

/** Element-wise product with broadcasting: out = a ⊙ b. */
export const mul = defineOp('mul', (a: TensorLike, b: TensorLike): OpResult => {
  const [x, y] = operands('mul', a, b);
  const shape = k.broadcastShapes('mul', x.shape, y.shape);
  return {
    data: k.mul(x.data, x.shape, y.data, y.shape, k.allocateUninitialized(x.dtype, k.sizeOf(shape)), shape),
    shape,
    // ∂L/∂a = g ⊙ b, ∂L/∂b = g ⊙ a, each summed back over the axes it was broadcast on
    backward(g) {
      return [
        x.requiresGrad ? sumToShape(mul(g, y), x.shape) : null,
        y.requiresGrad ? sumToShape(mul(g, x), y.shape) : null,
      ];
    },
  };
});
