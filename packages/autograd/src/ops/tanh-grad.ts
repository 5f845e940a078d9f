import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { checkSameShape } from './operands.ts';

/** tanh's backward as one op: out = g ⊙ (1 − t²), from the forward's output t. */
export const tanhGrad = defineOp('tanhGrad', (g: Tensor, t: Tensor): OpResult => {
  checkSameShape('tanhGrad', g, t);
  return {
    data: k.tanhGradFromOutput(g.data, t.data, k.allocateUninitialized(g.dtype, g.size)),
    shape: g.shape,
    // ∂L/∂g = u ⊙ (1 − t²); ∂L/∂t = −2 u ⊙ g ⊙ t
    backward(u) {
      return [g.requiresGrad ? tanhGrad(u, t) : null, t.requiresGrad ? mul(mul(u, g), mul(-2, t)) : null];
    },
  };
});
