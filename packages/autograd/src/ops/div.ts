import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { TensorLike } from '../tensor.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { binaryForward } from './operands.ts';
import { sumToShape } from './sum-to-shape.ts';

/** Element-wise quotient with broadcasting: out = a / b (IEEE: x/0 is ±Infinity, 0/0 is NaN). */
export const div = defineOp('div', (a: TensorLike, b: TensorLike): OpResult => {
  const { x, y, shape, data } = binaryForward('div', k.div, a, b);
  return {
    data,
    shape,
    // ∂L/∂a = g / b, ∂L/∂b = −g·a/b² = −g·out/b, each summed back over the axes it was broadcast on
    backward(g, out) {
      return [
        x.requiresGrad ? sumToShape(div(g, y), x.shape) : null,
        y.requiresGrad ? neg(sumToShape(div(mul(g, out), y), y.shape)) : null,
      ];
    },
  };
});
