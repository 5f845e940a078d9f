import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { unaryForward } from './operands.ts';

/** Element-wise square: out = a². */
export const square = defineOp('square', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('square', k.square, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = 2a·g
    backward(g) {
      return [mul(g, mul(x, 2))];
    },
  };
});
