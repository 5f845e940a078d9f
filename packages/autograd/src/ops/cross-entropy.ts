import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { crossEntropyGrad } from './cross-entropy-grad.ts';
import { div } from './div.ts';
import { logSoftmax } from './log-softmax.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { checkTensor } from './operands.ts';
import { softmax } from './softmax.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';

/**
 * What crossEntropy compares logits with: class indices (a number list or any typed array, as ManualMLP takes
 * them), or target rows (one-hot or probabilities).
 */
export type CrossEntropyTarget = Tensor | ArrayLike<number> | number;

/** The class indices in `target` as an Int32Array, checked to be `rows` integers in [0, cols). */
function labelsOf(target: unknown, rows: number, cols: number): Int32Array {
  const given = typeof target === 'number' ? [target] : target;
  if (!Array.isArray(given) && !(ArrayBuffer.isView(given) && !(given instanceof DataView))) {
    throw new Error(
      `crossEntropy: target is ${k.formatValue(given)}; expected class indices (a number list or typed array, one per ` +
        `row) or a Tensor of target rows`,
    );
  }
  const list = given as ArrayLike<number>;
  k.checkLabels('crossEntropy', list, rows, cols);
  // a copy, so that the backward rule sees the labels of this call; a loop, not Int32Array.from (the iterator
  // protocol made that copy a tenth of a small network's forward)
  const labels = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) labels[i] = list[i];
  return labels;
}

/**
 * Mean cross-entropy of `logits` against `target`: (1/N) Σ_r −Σ_j y_rj log softmax(z_r)_j, computed from the logits
 * as logsumexp(z_r) − z_r·y_r so that logits of ±1000 (or ±1e30) give the exact finite loss and finite gradients.
 * - logits: [N, C], or [C] for a single sample (then N = 1), as in PyTorch.
 * - target: N class indices (a number list or typed array: Int32Array, Float64Array, Uint8Array…; a plain number
 *   for 1-D logits), or a Tensor of the logits' shape holding one-hot or probability rows, each in [0, 1] and summing
 *   to 1 (checked: the same rules as ManualMLP's). A target tensor that requires grad gets ∂loss/∂y = −log softmax(z)/N.
 * Returns a scalar.
 */
export const crossEntropy = defineOp('crossEntropy', (logits: Tensor, target: CrossEntropyTarget): OpResult => {
  checkTensor('crossEntropy', logits, 'logits');
  if (logits.ndim !== 1 && logits.ndim !== 2) {
    throw new Error(`crossEntropy: logits must be [N, C] (a batch) or [C] (one sample), got ${k.shapeStr(logits.shape)}`);
  }
  const z = logits;
  const rows = z.ndim === 2 ? z.shape[0] : 1;
  const cols = z.shape[z.ndim - 1];
  if (rows === 0 || cols === 0) {
    throw new Error(`crossEntropy: logits ${k.shapeStr(z.shape)} are empty; expected at least one row and one class`);
  }
  const data = k.allocate(z.dtype, 1);
  if (target instanceof Tensor) {
    const y = target;
    if (!k.sameShape(y.shape, z.shape)) {
      throw new Error(
        `crossEntropy: target tensor is ${k.shapeStr(y.shape)} but logits are ${k.shapeStr(z.shape)}; expected one-hot or ` +
          `probability rows of the logits' shape (pass class indices as a number[] or Int32Array)`,
      );
    }
    for (let r = 0; r < rows; r++) k.checkProbabilityRow('crossEntropy', 'target', y.data, r * cols, cols, r);
    data[0] = k.crossEntropyTargets(z.data, y.data, rows, cols);
    return {
      data,
      shape: [],
      // ∂L/∂z = (softmax(z)·Σ_j y_j − y)·g/N, which is (softmax(z) − y)·g/N for rows that sum to 1;
      // ∂L/∂y = −log softmax(z)·g/N
      backward(g) {
        return [
          z.requiresGrad ? mul(sub(mul(softmax(z), sum(y, -1, true)), y), div(g, rows)) : null,
          y.requiresGrad ? mul(logSoftmax(z), neg(div(g, rows))) : null,
        ];
      },
    };
  }
  const labels = labelsOf(target, rows, cols);
  data[0] = k.crossEntropyIndices(z.data, labels, rows, cols);
  return {
    data,
    shape: [],
    // ∂L/∂z = δ^n = (softmax(z) − y)·g/N, y the one-hot rows of the labels
    backward(g) {
      return [crossEntropyGrad(z, labels, g), null];
    },
  };
});
