import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { div } from './div.ts';
import { mul } from './mul.ts';
import { softmax } from './softmax.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';

/**
 * crossEntropy's backward for class indices as one op: out = (softmax(z) − y)·g/N, y the one-hot rows of `labels`
 * N the number of rows. One pass over the logits instead of four ops.
 */
export const crossEntropyGrad = defineOp('crossEntropyGrad', (z: Tensor, labels: Int32Array, g: Tensor): OpResult => {
  const rows = z.ndim === 2 ? z.shape[0] : 1;
  const cols = z.shape[z.ndim - 1];
  k.checkLabels('crossEntropyGrad', labels, rows, cols);
  if (g.size !== 1) throw new Error(`crossEntropyGrad: g is ${k.shapeStr(g.shape)}; expected the loss's scalar gradient`);
  return {
    data: k.crossEntropyIndicesGrad(z.data, labels, rows, cols, g.data[0] / rows, k.allocateUninitialized(z.dtype, z.size)),
    shape: z.shape,
    // with s = softmax(z) and v = u·g/N: ∂L/∂z = s ⊙ (v − Σ_row v ⊙ s) (softmax's Jacobian applied to v);
    // ∂L/∂g = Σ u ⊙ (s − y) / N
    backward(u) {
      const s = softmax(z, -1);
      const v = mul(u, div(g, rows));
      const y = new Tensor(k.oneHot(labels, k.allocate(z.dtype, z.size), rows, cols), z.shape);
      return [
        z.requiresGrad ? mul(s, sub(v, sum(mul(v, s), -1, true))) : null,
        null,
        g.requiresGrad ? div(sum(mul(u, sub(s, y))), rows) : null,
      ];
    },
  };
});
