import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { checkTensor } from './operands.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';

/** softmax along `axis` (default the last): out_i = e^{a_i − m} / Σ_j e^{a_j − m}, m the slice maximum. */
export const softmax = defineOp('softmax', (a: Tensor, axis: number = -1): OpResult => {
  checkTensor('softmax', a);
  const ax = k.normalizeAxis('softmax', axis, a.ndim);
  return {
    data: k.softmax(a.data, a.shape, ax, k.allocateUninitialized(a.dtype, a.size)),
    shape: a.shape,
    // ∂L/∂a = out ⊙ (g − Σ_axis g ⊙ out): the Jacobian diag(s) − s sᵀ applied to g, slice by slice
    backward(g, out) {
      return [mul(out, sub(g, sum(mul(g, out), ax, true)))];
    },
  };
});
