import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { unaryForward } from './operands.ts';

/** Element-wise exponential: out = e^a. */
export const exp = defineOp('exp', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('exp', k.exp, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g·e^a = g·out
    backward(g, out) {
      return [mul(g, out)];
    },
  };
});
