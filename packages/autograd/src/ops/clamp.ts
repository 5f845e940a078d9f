import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { checkTensor } from './operands.ts';

function bound(name: string, value: number | null | undefined, missing: number): number {
  if (value === null || value === undefined) return missing;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`clamp: ${name} must be a number (or null for none), got ${String(value)}`);
  return value;
}

/**
 * Each element limited to [min, max], as `torch.clamp` (either bound may be null/omitted). The gradient passes where
 * min ≤ a ≤ max (bounds included, as in PyTorch) and is 0 where the value was clipped.
 */
export const clamp = defineOp('clamp', (a: Tensor, min?: number | null, max?: number | null): OpResult => {
  checkTensor('clamp', a);
  const low = bound('min', min, -Infinity);
  const high = bound('max', max, Infinity);
  if ((min === null || min === undefined) && (max === null || max === undefined)) {
    throw new Error('clamp: expected at least one of min and max');
  }
  if (low > high) throw new Error(`clamp: min ${low} is greater than max ${high}`);
  return {
    data: k.clamp(a.data, low, high, k.allocateUninitialized(a.dtype, a.size)),
    shape: a.shape,
    // ∂L/∂a = g ⊙ [min ≤ a ≤ max]
    backward(g) {
      return [mul(g, new Tensor(k.insideMask(a.data, low, high, k.allocateUninitialized(a.dtype, a.size)), a.shape))];
    },
  };
});
