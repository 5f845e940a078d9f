import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { checkTensor } from './operands.ts';
import { sigmoid } from './sigmoid.ts';
import { whereMask } from './where.ts';

/**
 * Element-wise softplus, as `torch.nn.functional.softplus`: ln(1 + e^{βa})/β, a smooth ReLU; where βa > threshold
 * it returns a itself (the two agree to rounding there), which keeps it from overflowing.
 */
export const softplus = defineOp('softplus', (a: Tensor, beta: number = 1, threshold: number = 20): OpResult => {
  checkTensor('softplus', a);
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta === 0) {
    throw new Error(`softplus: beta must be a finite non-zero number, got ${String(beta)}`);
  }
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new Error(`softplus: threshold must be a number, got ${String(threshold)}`);
  return {
    data: k.softplus(a.data, beta, threshold, k.allocateUninitialized(a.dtype, a.size)),
    shape: a.shape,
    // ∂L/∂a = g ⊙ σ(βa), or g where βa > threshold (the linear part)
    backward(g) {
      const linear = { data: k.aboveMask(a.data, beta, threshold, k.allocateUninitialized(a.dtype, a.size)), shape: a.shape };
      return [whereMask(linear, g, mul(g, sigmoid(mul(a, beta))))];
    },
  };
});
