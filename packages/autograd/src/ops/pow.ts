import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { TensorLike } from '../tensor.ts';
import { log } from './log.ts';
import { mul } from './mul.ts';
import { binaryForward } from './operands.ts';
import { sub } from './sub.ts';
import { sumToShape } from './sum-to-shape.ts';

/**
 * Element-wise power with broadcasting: out = a^b (Math.pow). Either side may be a number. The exponent's
 * gradient g·out·ln a is only real for a > 0 (NaN for a negative base, as in PyTorch); it is computed only when
 * the exponent is a tensor that requires grad.
 */
export const pow = defineOp('pow', (a: TensorLike, b: TensorLike): OpResult => {
  const { x, y, shape, data } = binaryForward('pow', k.pow, a, b);
  return {
    data,
    shape,
    // ∂L/∂a = g·b·a^(b−1), ∂L/∂b = g·out·ln a, each summed back over the axes it was broadcast on
    backward(g, out) {
      return [
        x.requiresGrad ? sumToShape(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
        y.requiresGrad ? sumToShape(mul(g, mul(out, log(x))), y.shape) : null,
      ];
    },
  };
});
