import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { matmulNT, matmulTN } from './matmul.ts';
import { checkTensor } from './operands.ts';
import { sigmoidGrad } from './sigmoid-grad.ts';
import { stepGrad } from './step-grad.ts';
import { sumToShape } from './sum-to-shape.ts';
import { tanhGrad } from './tanh-grad.ts';

/**
 * ∂L/∂z = g ⊙ act'(z) for the activations linear() applies, each written from the output a = act(z), which is all
 * the op keeps: relu'(z) = [a > 0], σ'(z) = a(1 − a), tanh'(z) = 1 − a².
 */
const FROM_OUTPUT: Record<k.FusedActivation, (g: Tensor, a: Tensor) => Tensor> = {
  relu: (g, a) => stepGrad(g, a),
  sigmoid: (g, a) => sigmoidGrad(g, a),
  tanh: (g, a) => tanhGrad(g, a),
};

/**
 * A fully connected layer in one op: z = x W + b for x (N × in), W (in × out) and the bias row b (out) added to every
 * row. The same values as add(matmul(x, W), b), one node instead of two and one pass fewer (kernels' matmulBias).
 * With `activation` ('relu', 'sigmoid' or 'tanh') it returns a = act(z) instead, still one node (kernels'
 * matmulBiasAct): the same values as relu(linear(x, W, b)) and so on, and the same gradients, to any order.
 */
export const linear = defineOp('linear', (x: Tensor, W: Tensor, b: Tensor, activation?: k.FusedActivation): OpResult => {
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
  if (activation !== undefined && !k.isFusedActivation(activation)) {
    throw new Error(`linear: activation ${k.formatValue(activation)}; expected 'relu', 'sigmoid' or 'tanh' (or none, for z = x W + b)`);
  }
  const out = k.allocateUninitialized(x.dtype, m * n);
  return {
    data: activation === undefined ? k.matmulBias(x.data, W.data, b.data, out, m, kx, n) : k.matmulBiasAct(x.data, W.data, b.data, activation, out, m, kx, n),
    shape: [m, n],
    // ∂L/∂z = g, or g ⊙ act'(z) from the output; then ∂L/∂x = ∂L/∂z Wᵀ, ∂L/∂W = xᵀ ∂L/∂z, ∂L/∂b = Σ_rows ∂L/∂z
    backward(g, a) {
      const gz = activation === undefined ? g : FROM_OUTPUT[activation](g, a);
      return [
        x.requiresGrad ? matmulNT(gz, W) : null,
        W.requiresGrad ? matmulTN(x, gz) : null,
        b.requiresGrad ? sumToShape(gz, b.shape) : null,
      ];
    },
  };
});
