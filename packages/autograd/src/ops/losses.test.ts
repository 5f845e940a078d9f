import { describe, expect, it } from 'vitest';
import { tensor, zeros } from '../creation.ts';
import { Tensor } from '../tensor.ts';
import { checkGrads } from '../testing/check-grads.ts';
import { crossEntropy, crossEntropyGrad, mse, softmax } from './index.ts';

const ONE_HOT = [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1];
const PROBS = [0.2, 0.3, 0.5, 0.1, 0.6, 0.3, 0.25, 0.25, 0.5, 0.7, 0.2, 0.1];

describe('crossEntropy', () => {
  it('gradients against class indices (number[] and Int32Array)', () => {
    checkGrads((z) => crossEntropy(z, [0, 2, 1, 2]), [[4, 3]]);
    checkGrads((z) => crossEntropy(z, Int32Array.from([3, 0])), [[2, 4]], { domain: [-5, 5] });
  });
  it('gradients for both logits and a target tensor (one-hot, probabilities, a differentiable distribution)', () => {
    checkGrads(crossEntropy, [[4, 3], [4, 3]], { values: [undefined, ONE_HOT], constants: [1] });
    checkGrads(crossEntropy, [[4, 3], [4, 3]], { values: [undefined, PROBS], constants: [1] });
    // ∂loss/∂y, through targets that stay probability rows however their logits u are perturbed
    checkGrads((z, u) => crossEntropy(z, softmax(u)), [[4, 3], [4, 3]], { domain: [[-2, 2], [-2, 2]] });
  });
  it('is the mean over the batch of logsumexp(z) − z_k', () => {
    const z = tensor([[1, 2, 3], [0, 0, 0]], { dtype: 'float64' });
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(crossEntropy(z, [2, 1]).item()).toBeCloseTo(((lse - 3) + Math.log(3)) / 2, 14);
    const y = tensor([[0, 0, 1], [0, 1, 0]], { dtype: 'float64' });
    expect(crossEntropy(z, y).item()).toBeCloseTo(crossEntropy(z, [2, 1]).item(), 14);
  });
  it('accepts one sample as 1-D logits [C] with a single index or a [C] target', () => {
    checkGrads((z) => crossEntropy(z, 2), [[4]]);
    checkGrads((z) => crossEntropy(z, [1]), [[4]]);
    checkGrads(crossEntropy, [[3], [3]], { values: [undefined, [0.2, 0.5, 0.3]], constants: [1] });
    checkGrads((z, u) => crossEntropy(z, softmax(u)), [[3], [3]]);
    const z = tensor([1, 2, 3], { dtype: 'float64' });
    expect(crossEntropy(z, 0).item()).toBe(crossEntropy(tensor([[1, 2, 3]], { dtype: 'float64' }), [0]).item());
  });
  it.each(['float64', 'float32'] as const)('is exact and finite for logits of ±1000 and ±1e30 (%s)', (dtype) => {
    for (const big of [1000, 1e30]) {
      const z = tensor([[big, -big, 0], [-big, big, 0]], { dtype, requiresGrad: true });
      const loss = crossEntropy(z, [0, 0]); // row 0 right (loss 0), row 1 wrong by 2·big
      expect(loss.item()).toBe(dtype === 'float32' ? Math.fround(big) : big);
      loss.backward();
      expect(z.grad!.toArray()).toEqual([[0, 0, 0], [-0.5, 0.5, 0]]);
      const t = tensor([[0, 1, 0], [0.5, 0, 0.5]], { dtype, requiresGrad: true });
      const z2 = tensor([[big, -big, 0], [-big, big, 0]], { dtype, requiresGrad: true });
      const loss2 = crossEntropy(z2, t);
      expect(Number.isFinite(loss2.item())).toBe(true);
      loss2.backward();
      for (const g of [...z2.grad!.data, ...t.grad!.data]) expect(Number.isFinite(g)).toBe(true);
    }
  });
  it('gives a finite mean loss and gradients when the rows\' losses sum past float64 (70 rows of ±1e307)', () => {
    const z = tensor(Array.from({ length: 70 }, () => [1e307, -1e307]), { dtype: 'float64', requiresGrad: true });
    const loss = crossEntropy(z, new Array(70).fill(1));
    expect(Math.abs(loss.item() / 2e307 - 1)).toBeLessThan(1e-14);
    loss.backward();
    expect(z.grad!.toArray()).toEqual(Array.from({ length: 70 }, () => [1 / 70, -1 / 70]));
  });
  it('validates the labels', () => {
    const z = zeros([3, 4]);
    expect(() => crossEntropy(z, [0, 1])).toThrow('crossEntropy: got 2 labels for a batch of 3 rows; expected one class index per row');
    expect(() => crossEntropy(z, [0, 4, 1])).toThrow('crossEntropy: label 4 at row 1 is not a class index; expected an integer in [0, 3]');
    expect(() => crossEntropy(z, [0, 1, -1])).toThrow('label -1 at row 2 is not a class index');
    expect(() => crossEntropy(z, [0, 1.5, 1])).toThrow('label 1.5 at row 1 is not a class index');
    expect(() => crossEntropy(z, 'abc' as never)).toThrow(
      'crossEntropy: target is "abc"; expected class indices (a number list or typed array, one per row) or a Tensor of target rows',
    );
    expect(() => crossEntropy(z, ['0', '1', '0'] as never)).toThrow('crossEntropy: label "0" at row 0 is not a class index; expected an integer in [0, 3]');
  });
  it('takes labels in any typed array, as ManualMLP does (Float64Array, Uint8Array, Int32Array…), with the same rules', () => {
    const z = tensor([[1, 2, 3], [0, 1, 0]], { dtype: 'float64' });
    const expected = crossEntropy(z, [2, 1]).item();
    for (const labels of [Float64Array.of(2, 1), Uint8Array.of(2, 1), Int32Array.of(2, 1), Float32Array.of(2, 1), Uint16Array.of(2, 1)]) {
      expect(crossEntropy(z, labels).item()).toBe(expected);
    }
    expect(() => crossEntropy(z, Float64Array.of(2, 0.5))).toThrow('crossEntropy: label 0.5 at row 1 is not a class index; expected an integer in [0, 2]');
    expect(() => crossEntropy(z, Uint8Array.of(2, 3))).toThrow('crossEntropy: label 3 at row 1 is not a class index; expected an integer in [0, 2]');
  });
  it('validates probability targets as ManualMLP does: finite, in [0, 1], rows summing to 1 (the issue\'s −0.687 loss)', () => {
    const z = tensor([[1, 2]]);
    expect(() => crossEntropy(z, tensor([[-1, 2]]))).toThrow('crossEntropy: target[0][0] is -1; expected probabilities in [0, 1]');
    expect(() => crossEntropy(z, tensor([[1, 1]]))).toThrow('crossEntropy: target row 0 sums to 2; expected probability rows that sum to 1');
    expect(() => crossEntropy(z, tensor([[NaN, 1]]))).toThrow('crossEntropy: target[0][0] is NaN; expected probabilities in [0, 1]');
    expect(() => crossEntropy(tensor([[1, 2], [3, 4]]), tensor([[0.5, 0.5], [0.25, 0.5]]))).toThrow(
      'crossEntropy: target row 1 sums to 0.75; expected probability rows that sum to 1',
    );
    // float32 rounding of a distribution is within the tolerance (1e-6)
    expect(Number.isFinite(crossEntropy(tensor([[1, 2, 3]]), tensor([[0.1, 0.2, 0.7]])).item())).toBe(true);
  });
  it('validates the logits and target shapes and dtypes', () => {
    expect(() => crossEntropy(zeros([2, 3, 4]), [0, 1])).toThrow('crossEntropy: logits must be [N, C] (a batch) or [C] (one sample), got [2, 3, 4]');
    expect(() => crossEntropy(zeros([0, 3]), [])).toThrow('crossEntropy: logits [0, 3] are empty');
    expect(() => crossEntropy(zeros([2, 3]), zeros([2]))).toThrow(
      "crossEntropy: target tensor is [2] but logits are [2, 3]; expected one-hot or probability rows of the logits' shape",
    );
    expect(() => crossEntropy(zeros([2, 3]), zeros([2, 3], { dtype: 'float64' }))).toThrow(
      'crossEntropy: dtype mismatch: argument 1 is float64 [2, 3] but an earlier tensor argument is float32',
    );
  });
});

describe('crossEntropyGrad (crossEntropy\'s fused backward)', () => {
  it('has correct gradients for the logits and the upstream scalar, and checks its labels', () => {
    const labels = Int32Array.of(2, 0, 1);
    checkGrads((z, g) => crossEntropyGrad(z, labels, g.sum()), [[3, 4], [1]]);
    expect(() => crossEntropyGrad(zeros([2, 3]), Int32Array.of(0, 3), zeros([]))).toThrow('crossEntropyGrad: label 3 at row 1');
    expect(() => crossEntropyGrad(zeros([2, 3]), Int32Array.of(0, 1), zeros([2]))).toThrow("crossEntropyGrad: g is [2]; expected the loss's scalar gradient");
  });
});

describe('mse', () => {
  it('gradients for both inputs', () => {
    checkGrads(mse, [[3, 4], [3, 4]]);
    checkGrads(mse, [[5], [5]], { constants: [1] });
    checkGrads(mse, [[], []]);
  });
  it('is the mean of squared differences', () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const b = tensor([[1, 0], [0, 4]], { dtype: 'float64' });
    expect(mse(a, b).item()).toBe((4 + 9) / 4);
    expect(mse(a, b)).toBeInstanceOf(Tensor);
  });
  it('needs identical shapes', () => {
    expect(() => mse(zeros([3, 4]), zeros([4]))).toThrow(
      'mse: pred is [3, 4] but target is [4]; expected identical shapes (mse does not broadcast)',
    );
    expect(() => mse(zeros([0]), zeros([0]))).toThrow('mse: tensors of shape [0] are empty');
  });
});
