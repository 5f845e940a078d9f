import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { unaryForward } from './operands.ts';

/** Element-wise negation: out = −a. */
export const neg = defineOp('neg', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('neg', k.neg, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = −g
    backward(g) {
      return [neg(g)];
    },
  };
});
