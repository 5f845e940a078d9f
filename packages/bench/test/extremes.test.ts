import { crossEntropy, linear, tensor } from '@tapegrad/autograd';
import { ManualMLP } from '@tapegrad/manual';
import { describe, expect, it } from 'vitest';

// Both engines at the edges of their inputs, through their public APIs: the same loss where a naive mean would
// overflow (both call the kernels' crossEntropyIndices), and the same rule, in the same words, for bad labels.

describe('both engines at the extremes', () => {
  it('70 rows of float64 logits ±1e307: the same finite mean loss, 2e307', () => {
    const rows = 70;
    const W = [[1e307, -1e307]];
    const x = Array.from({ length: rows }, () => [1]);
    const labels = Array.from({ length: rows }, () => 1);
    const manual = new ManualMLP({ sizes: [1, 2], activation: 'identity', dtype: 'float64', params: { W: [W], b: [[0, 0]] } });
    const m = manual.lossAndGrads(x, labels);
    const z = linear(tensor(x, { dtype: 'float64' }), tensor(W, { dtype: 'float64', requiresGrad: true }), tensor([0, 0], { dtype: 'float64' }));
    const a = crossEntropy(z, labels).item();
    expect(Math.abs(m.loss - 2e307) / 2e307).toBeLessThan(1e-15);
    expect(a).toBe(m.loss);
    // and finite gradients: δ^n = (softmax − y)/N = [1, −1]/70 in every row, ∂loss/∂W¹ = Σ_rows δ^n ≈ [1, −1]
    expect(m.dW[0].data[0]).toBeCloseTo(1, 14);
    expect(m.dW[0].data[1]).toBeCloseTo(-1, 14);
  });

  it.each<[string, unknown[]]>([
    ['strings', ['0', '1']],
    ['NaN', [0, Number.NaN]],
    ['out of range', [0, 2]],
    ['a fraction', [0.5, 1]],
    ['null', [null, 1]],
  ])('labels with %s: the same rule and the same words in both engines', (_, labels) => {
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as Error).message.replace(/^[^:]*: /, ''); // without the method's name
      }
      return 'no error';
    };
    const manual = new ManualMLP({ sizes: [2, 2], activation: 'relu', seed: 1 });
    const fromManual = message(() => manual.lossAndGrads([[1, 2], [3, 4]], labels as number[]));
    const fromAutograd = message(() => crossEntropy(tensor([[1, 2], [3, 4]]), labels as number[]));
    expect(fromManual).toMatch(/^label .+ at row \d is not a class index; expected an integer in \[0, 1\]$/);
    expect(fromAutograd).toBe(fromManual);
  });

  it.each<[string, number[], string]>([
    ['a negative probability', [-1, 2], '[0][0] is -1; expected probabilities in [0, 1]'],
    ['NaN', [Number.NaN, 1], '[0][0] is NaN; expected probabilities in [0, 1]'],
    ['a row summing to 1.25', [0.5, 0.75], ' row 0 sums to 1.25; expected probability rows that sum to 1'],
  ])('probability targets with %s: refused by both engines with the same rule', (_, row, tail) => {
    const manual = new ManualMLP({ sizes: [2, 2], activation: 'relu', seed: 1 });
    expect(() => manual.lossAndGrads([[1, 2]], { probabilities: [row] })).toThrow(`ManualMLP.lossAndGrads: y.probabilities${tail}`);
    expect(() => crossEntropy(tensor([[1, 2]]), tensor([row]))).toThrow(tail);
  });
});
