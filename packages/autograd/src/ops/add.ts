import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { TensorLike } from '../tensor.ts';
import { operands } from './operands.ts';
import { sumToShape } from './sum-to-shape.ts';

/** Element-wise sum with broadcasting: out = a + b. */
export const add = defineOp('add', (a: TensorLike, b: TensorLike): OpResult => {
  const [x, y] = operands('add', a, b);
  const shape = k.broadcastShapes('add', x.shape, y.shape);
  return {
    data: k.add(x.data, x.shape, y.data, y.shape, k.allocateUninitialized(x.dtype, k.sizeOf(shape)), shape),
    shape,
    // ∂L/∂a = g, ∂L/∂b = g, each summed back over the axes it was broadcast on
    backward(g) {
      return [x.requiresGrad ? sumToShape(g, x.shape) : null, y.requiresGrad ? sumToShape(g, y.shape) : null];
    },
  };
});
