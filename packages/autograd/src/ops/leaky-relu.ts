import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';
import { checkSlope, stepGrad } from './step-grad.ts';

/** Element-wise leaky rectifier: out = a if a > 0, else slope·a (slope 0.01 by default, as in PyTorch). */
export const leakyRelu = defineOp('leakyRelu', (a: Tensor, slope: number = k.LEAKY_SLOPE): OpResult => {
  checkTensor('leakyRelu', a);
  const s = checkSlope('leakyRelu', slope);
  return {
    data: k.leakyReluWith(s).f(a.data, k.allocateUninitialized(a.dtype, a.size)),
    shape: a.shape,
    // ∂L/∂a = g ⊙ (1 if a > 0 else slope)
    backward(g) {
      return [stepGrad(g, a, s)];
    },
  };
});
