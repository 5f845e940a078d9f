import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { unaryForward } from './operands.ts';
import { sigmoidGrad } from './sigmoid-grad.ts';

/** Element-wise logistic function: out = σ(a) = 1 / (1 + e^{−a}), computed without overflow for any a. */
export const sigmoid = defineOp('sigmoid', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('sigmoid', k.sigmoid.f, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g·σ'(a) = g·out·(1 − out)
    backward(g, out) {
      return [sigmoidGrad(g, out)];
    },
  };
});
