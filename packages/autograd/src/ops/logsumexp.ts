import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';
import { reduction, unreduce } from './sum.ts';

/**
 * ln Σ exp(a) over `axis` (one axis, a list, or every axis when omitted/null), computed stably (the slice maximum is
 * taken out first, so logits of ±1000 stay finite), as `torch.logsumexp`; `keepDims` keeps reduced axes as size 1.
 */
export const logsumexp = defineOp('logsumexp', (a: Tensor, axis?: number | readonly number[] | null, keepDims: boolean = false): OpResult => {
  const { axes, kept, shape } = reduction('logsumexp', a, axis, keepDims);
  return {
    data: k.logSumExpAxes(a.data, a.shape, axes, k.allocateUninitialized(a.dtype, k.sizeOf(shape))),
    shape,
    // ∂L/∂a = g ⊙ softmax(a) over the slice = g ⊙ e^{a − out}
    backward(g, out) {
      return [mul(unreduce(g, kept, a.shape), exp(sub(a, unreduce(out, kept, a.shape))))];
    },
  };
});
