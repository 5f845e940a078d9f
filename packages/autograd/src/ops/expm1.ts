import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { add } from './add.ts';
import { mul } from './mul.ts';
import { unaryForward } from './operands.ts';

/** Element-wise eᵃ − 1, accurate for small a. */
export const expm1 = defineOp('expm1', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('expm1', k.expm1, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g·eᵃ = g·(out + 1)
    backward(g, out) {
      return [mul(g, add(out, 1))];
    },
  };
});
