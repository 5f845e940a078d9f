import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { sign } from './compare.ts';
import { mul } from './mul.ts';
import { unaryForward } from './operands.ts';

/** Element-wise absolute value: out = |a|. Its derivative at 0 is taken as 0, as in PyTorch. */
export const abs = defineOp('abs', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('abs', k.abs, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g ⊙ sign(a) (sign is constant almost everywhere, so it takes no gradient)
    backward(g) {
      return [mul(g, sign(x))];
    },
  };
});
