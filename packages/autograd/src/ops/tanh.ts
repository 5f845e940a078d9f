import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { unaryForward } from './operands.ts';
import { tanhGrad } from './tanh-grad.ts';

/** Element-wise hyperbolic tangent: out = tanh a. */
export const tanh = defineOp('tanh', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('tanh', k.tanh.f, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g·(1 − tanh² a) = g·(1 − out²)
    backward(g, out) {
      return [tanhGrad(g, out)];
    },
  };
});
