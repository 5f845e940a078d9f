import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { TensorLike } from '../tensor.ts';
import { neg } from './neg.ts';
import { binaryForward } from './operands.ts';
import { sumToShape } from './sum-to-shape.ts';

/** Element-wise difference with broadcasting: out = a − b. */
export const sub = defineOp('sub', (a: TensorLike, b: TensorLike): OpResult => {
  const { x, y, shape, data } = binaryForward('sub', k.sub, a, b);
  return {
    data,
    shape,
    // ∂L/∂a = g, ∂L/∂b = −g, each summed back over the axes it was broadcast on
    backward(g) {
      return [x.requiresGrad ? sumToShape(g, x.shape) : null, y.requiresGrad ? neg(sumToShape(g, y.shape)) : null];
    },
  };
});
