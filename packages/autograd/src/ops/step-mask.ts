import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';

/** Throws unless `slope` is a finite number. */
export function checkSlope(op: string, slope: unknown): number {
  if (typeof slope !== 'number' || !Number.isFinite(slope)) {
    throw new Error(`${op}: slope must be a finite number, got ${String(slope)}`);
  }
  return slope;
}

/**
 * The derivative of (leaky) ReLU as a tensor: 1 where a > 0, else `slope` (0 by default, so exactly 0 at a = 0,
 * as in PyTorch). Piecewise constant, so its own gradient is zero: its backward returns none, which is what keeps
 * relu's backward rule differentiable.
 */
export const stepMask = defineOp('stepMask', (a: Tensor, slope: number = 0): OpResult => {
  checkTensor('stepMask', a);
  const s = checkSlope('stepMask', slope);
  return {
    data: k.leakyReluWith(s).df(a.data, k.allocate(a.dtype, a.size)),
    shape: a.shape,
    // ∂mask/∂a = 0 almost everywhere
    backward: () => [null],
  };
});
