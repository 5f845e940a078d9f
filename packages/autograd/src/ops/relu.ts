import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { unaryForward } from './operands.ts';
import { stepGrad } from './step-grad.ts';

/** Element-wise rectifier: out = max(0, a). Its derivative is taken as 0 at exactly a = 0, as in PyTorch. */
export const relu = defineOp('relu', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('relu', k.relu.f, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g ⊙ [a > 0]
    backward(g) {
      return [stepGrad(g, x)];
    },
  };
});
