import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { add } from './add.ts';
import { div } from './div.ts';
import { unaryForward } from './operands.ts';

/** Element-wise ln(1 + a), accurate for small a (NaN for a < −1). */
export const log1p = defineOp('log1p', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('log1p', k.log1p, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g / (1 + a)
    backward(g) {
      return [div(g, add(x, 1))];
    },
  };
});
