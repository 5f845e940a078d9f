import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkSameShape } from './operands.ts';

/** Throws unless `slope` is a finite number. */
export function checkSlope(op: string, slope: unknown): number {
  if (typeof slope !== 'number' || !Number.isFinite(slope)) {
    throw new Error(`${op}: slope must be a finite number, got ${String(slope)}`);
  }
  return slope;
}

/**
 * (Leaky) ReLU's backward as one op: out = g ⊙ (1 if a > 0 else slope), slope 0 for ReLU (so the derivative is
 * exactly 0 at a = 0, as in PyTorch). It is linear in g and piecewise constant in a, so its own backward is itself
 * for g and zero for a: relu's rule stays differentiable to any order.
 */
export const stepGrad = defineOp('stepGrad', (g: Tensor, a: Tensor, slope: number = 0): OpResult => {
  checkSameShape('stepGrad', g, a);
  const s = checkSlope('stepGrad', slope);
  return {
    data: k.stepGrad(g.data, a.data, s, k.allocateUninitialized(g.dtype, g.size)),
    shape: g.shape,
    // ∂L/∂g = u ⊙ (1 if a > 0 else slope); ∂L/∂a = 0 almost everywhere
    backward(u) {
      return [stepGrad(u, a, s), null];
    },
  };
});
