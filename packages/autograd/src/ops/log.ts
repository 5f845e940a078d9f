import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { div } from './div.ts';
import { unaryForward } from './operands.ts';

/** Element-wise natural logarithm: out = ln a (NaN for a < 0, −Infinity at 0; anomaly mode reports both). */
export const log = defineOp('log', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('log', k.log, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g / a
    backward(g) {
      return [div(g, x)];
    },
  };
});
