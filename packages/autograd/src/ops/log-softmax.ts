import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { checkTensor } from './operands.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';

/** log softmax along `axis` (default the last): out_i = a_i − m − ln Σ_j e^{a_j − m}, finite for huge logits. */
export const logSoftmax = defineOp('logSoftmax', (a: Tensor, axis: number = -1): OpResult => {
  checkTensor('logSoftmax', a);
  const ax = k.normalizeAxis('logSoftmax', axis, a.ndim);
  return {
    data: k.logSoftmax(a.data, a.shape, ax, k.allocateUninitialized(a.dtype, a.size)),
    shape: a.shape,
    // ∂L/∂a = g − softmax(a) ⊙ Σ_axis g, with softmax(a) = e^out
    backward(g, out) {
      return [sub(g, mul(exp(out), sum(g, ax, true)))];
    },
  };
});
