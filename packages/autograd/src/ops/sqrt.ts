import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { div } from './div.ts';
import { mul } from './mul.ts';
import { unaryForward } from './operands.ts';

/** Element-wise square root: out = √a (NaN for a < 0; its gradient is infinite at 0). */
export const sqrt = defineOp('sqrt', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('sqrt', k.sqrt, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g / (2√a) = g / (2·out)
    backward(g, out) {
      return [div(g, mul(out, 2))];
    },
  };
});
