import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { add } from './add.ts';
import { mul } from './mul.ts';
import { checkTensor } from './operands.ts';
import { whereMask } from './where.ts';

/** Element-wise exponential linear unit, as `torch.nn.functional.elu`: a where a > 0, else α(eᵃ − 1). */
export const elu = defineOp('elu', (a: Tensor, alpha: number = 1): OpResult => {
  checkTensor('elu', a);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`elu: alpha must be a finite number, got ${String(alpha)}`);
  return {
    data: k.elu(a.data, alpha, k.allocateUninitialized(a.dtype, a.size)),
    shape: a.shape,
    // ∂L/∂a = g where a > 0, else g·αeᵃ = g·(out + α) (through out, so that it can be differentiated again)
    backward(g, out) {
      const positive = { data: k.aboveMask(a.data, 1, 0, k.allocateUninitialized(a.dtype, a.size)), shape: a.shape };
      return [whereMask(positive, g, mul(g, add(out, alpha)))];
    },
  };
});
