import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { add } from './add.ts';
import { erf } from './erf.ts';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { checkTensor } from './operands.ts';
import { square } from './square.ts';
import { sub } from './sub.ts';
import { tanh } from './tanh.ts';

/** GELU's two forms, as PyTorch's `approximate` argument names them. */
export type GeluApproximation = 'none' | 'tanh';

/** dGELU/da: Φ(a) + a·φ(a), with Φ(a) = ½(1 + erf(a/√2)) and φ(a) = e^{−a²/2}/√(2π) */
function exactDerivative(a: Tensor): Tensor {
  const cdf = mul(add(erf(mul(a, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(square(a), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return add(cdf, mul(a, pdf));
}

/** d/da of ½a(1 + tanh u), u = β(a + κa³): ½(1 + tanh u) + ½a(1 − tanh²u)·β(1 + 3κa²) */
function tanhDerivative(a: Tensor): Tensor {
  const beta = k.GELU_TANH_BETA;
  const kappa = k.GELU_TANH_KAPPA;
  const t = tanh(mul(add(a, mul(mul(square(a), a), kappa)), beta));
  const left = mul(add(t, 1), 0.5);
  const right = mul(mul(mul(a, 0.5), sub(1, square(t))), mul(add(mul(square(a), 3 * kappa), 1), beta));
  return add(left, right);
}

/**
 * Gaussian error linear unit, element-wise, as `torch.nn.functional.gelu`: a·Φ(a) with Φ the standard normal CDF
 * (`approximate: 'none'`, the default), or ½a(1 + tanh(√(2/π)(a + 0.044715a³))) with 'tanh'.
 */
export const gelu = defineOp('gelu', (a: Tensor, approximate: GeluApproximation = 'none'): OpResult => {
  checkTensor('gelu', a);
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new Error(`gelu: approximate must be 'none' or 'tanh', got ${k.formatValue(approximate)}`);
  }
  const kernel = approximate === 'none' ? k.gelu : k.geluTanh;
  return {
    data: kernel(a.data, k.allocateUninitialized(a.dtype, a.size)),
    shape: a.shape,
    // ∂L/∂a = g ⊙ GELU′(a), written with ops so that it can be differentiated again
    backward(g) {
      return [mul(g, approximate === 'none' ? exactDerivative(a) : tanhDerivative(a))];
    },
  };
});
