import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { matmulNT, matmulTN } from './matmul.ts';
import { checkTensor } from './operands.ts';
import { sumToShape } from './sum-to-shape.ts';

/**
 * A fully connected layer in one op: z = x W + b for x (N × in), W (in × out) and the bias row b (out) added to every
 * row. The same values as add(matmul(x, W), b), one node instead of two and one pass fewer (kernels' matmulBias).
 */
export const linear = defineOp('linear', (x: Tensor, W: Tensor, b: Tensor): OpResult => {
  checkTensor('linear', x, 'x');
  checkTensor('linear', W, 'W');
  checkTensor('linear', b, 'b');
  if (x.ndim !== 2 || W.ndim !== 2 || b.ndim !== 1) {
    throw new Error(`linear: expected x 2-D, W 2-D and b 1-D, got x ${k.shapeStr(x.shape)}, W ${k.shapeStr(W.shape)}, b ${k.shapeStr(b.shape)}`);
  }
  const [m, kx] = x.shape;
  const [kw, n] = W.shape;
  if (kx !== kw || b.shape[0] !== n) {
    throw new Error(
      `linear: shapes do not chain: x is ${k.shapeStr(x.shape)}, W is ${k.shapeStr(W.shape)}, b is ${k.shapeStr(b.shape)}; ` +
        `expected x [N, in], W [in, out], b [out]`,
    );
  }
  return {
    data: k.matmulBias(x.data, W.data, b.data, k.allocateUninitialized(x.dtype, m * n), m, kx, n),
    shape: [m, n],
    // ∂L/∂x = g Wᵀ, ∂L/∂W = xᵀ g, ∂L/∂b = Σ_rows g
    backward(g) {
      return [
        x.requiresGrad ? matmulNT(g, W) : null,
        W.requiresGrad ? matmulTN(x, g) : null,
        b.requiresGrad ? sumToShape(g, b.shape) : null,
      ];
    },
  };
});
