import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { checkSameShape } from './operands.ts';
import { sub } from './sub.ts';

/** sigmoid's backward as one op: out = g ⊙ s(1 − s), from the forward's output s. */
export const sigmoidGrad = defineOp('sigmoidGrad', (g: Tensor, s: Tensor): OpResult => {
  checkSameShape('sigmoidGrad', g, s);
  return {
    data: k.sigmoidGradFromOutput(g.data, s.data, k.allocateUninitialized(g.dtype, g.size)),
    shape: g.shape,
    // ∂L/∂g = u ⊙ s(1 − s); ∂L/∂s = u ⊙ g ⊙ (1 − 2s)
    backward(u) {
      return [g.requiresGrad ? sigmoidGrad(u, s) : null, s.requiresGrad ? mul(mul(u, g), sub(1, mul(2, s))) : null];
    },
  };
});
