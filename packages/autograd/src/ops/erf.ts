import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { unaryForward } from './operands.ts';
import { square } from './square.ts';

/** The error function, element-wise: erf(a) = 2/√π ∫₀ᵃ e^{−t²} dt (to within an ulp; see kernels/special.ts). */
export const erf = defineOp('erf', (a: Tensor): OpResult => {
  const { x, data } = unaryForward('erf', k.erf, a);
  return {
    data,
    shape: x.shape,
    // ∂L/∂a = g · 2/√π · e^{−a²}
    backward(g) {
      return [mul(g, mul(exp(mul(square(x), -1)), 2 / Math.sqrt(Math.PI)))];
    },
  };
});
