import { describe, expect, it } from 'vitest';
import { checkLabels, crossEntropyIndices, crossEntropyTargets, logSoftmax, softmax } from './softmax.ts';

describe('softmax and cross-entropy kernels', () => {
  it('softmax rows sum to one along the chosen axis', () => {
    const x = Float64Array.of(1, 2, 3, -1, 0, 4);
    const rows = softmax(x, [2, 3], 1, new Float64Array(6));
    expect(rows[0] + rows[1] + rows[2]).toBeCloseTo(1, 15);
    const cols = softmax(x, [2, 3], 0, new Float64Array(6));
    expect(cols[0] + cols[3]).toBeCloseTo(1, 15);
    expect(cols[0]).toBeCloseTo(Math.exp(1) / (Math.exp(1) + Math.exp(-1)), 15);
  });

  it('the last axis (one e^{z − m} per entry, kept in float64) gives the bits of any other axis', () => {
    // x is rows × len; its transpose, softmaxed along axis 0, goes through the strided loop
    const rows = 7;
    for (const [len, make] of [[5, (n: number) => new Float32Array(n)], [21, (n: number) => new Float64Array(n)], [6, (n: number) => new Float64Array(n)], [17, (n: number) => new Float32Array(n)]] as const) {
      const x = make(rows * len).map((_, i) => Math.sin(i * 12.9898) * 40);
      x[3 * len + 2] = -Infinity; // one −∞ entry
      for (let j = 0; j < len; j++) x[5 * len + j] = -Infinity; // an all −∞ row
      x[6 * len + 4] = 88.5; // e^{z − m} of the others underflows in float32 only after the division
      const xt = make(rows * len);
      for (let r = 0; r < rows; r++) for (let j = 0; j < len; j++) xt[j * rows + r] = x[r * len + j];
      const lastAxis = softmax(x, [rows, len], 1, make(rows * len));
      const firstAxis = softmax(xt, [len, rows], 0, make(rows * len));
      for (let r = 0; r < rows; r++) for (let j = 0; j < len; j++) expect(Object.is(lastAxis[r * len + j], firstAxis[j * rows + r])).toBe(true);
      expect(Number.isNaN(lastAxis[5 * len])).toBe(true);
    }
  });

  it('stays exact for logits of ±1000', () => {
    const z = Float64Array.of(1000, -1000, 999);
    const ls = logSoftmax(z, [1, 3], 1, new Float64Array(3));
    expect(ls[0]).toBeCloseTo(-Math.log1p(Math.exp(-1)), 12);
    expect(ls[1]).toBeCloseTo(-2000 - Math.log1p(Math.exp(-1)), 10);
    expect(crossEntropyIndices(z, [1], 1, 3)).toBeCloseTo(2000 + Math.log1p(Math.exp(-1)), 10);
    expect(crossEntropyTargets(z, Float64Array.of(0, 0, 1), 1, 3)).toBeCloseTo(1 + Math.log1p(Math.exp(-1)), 12);
  });

  it('gives the representable mean of losses whose sum overflows (70 rows of float64 logits ±1e307)', () => {
    const rows = 70;
    const z = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) z.set([1e307, -1e307], 2 * r);
    const wrong = new Int32Array(rows).fill(1); // every row's loss is 2e307; their sum, 1.4e309, is not a float64
    const y = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) y[2 * r + 1] = 1;
    for (const mean of [crossEntropyIndices(z, wrong, rows, 2), crossEntropyTargets(z, y, rows, 2)]) {
      expect(Math.abs(mean / 2e307 - 1)).toBeLessThan(1e-14);
    }
    const half = Int32Array.from({ length: rows }, (_, r) => r % 2); // losses 0 and 2e307: mean 1e307
    expect(Math.abs(crossEntropyIndices(z, half, rows, 2) / 1e307 - 1)).toBeLessThan(1e-14);
    // a non-finite row loss still gives a non-finite mean
    z[0] = Infinity;
    expect(crossEntropyIndices(z, wrong, rows, 2)).toBeNaN();
  });

  it('cross-entropy with indices equals cross-entropy with one-hot rows', () => {
    const z = Float64Array.of(0.3, -1.2, 2.0, 0.5, 0.1, -0.4);
    expect(crossEntropyIndices(z, [2, 0], 2, 3)).toBeCloseTo(crossEntropyTargets(z, Float64Array.of(0, 0, 1, 1, 0, 0), 2, 3), 15);
  });

  it('rejects labels that are not class indices, naming the row and the range', () => {
    expect(() => checkLabels('crossEntropy', [0, 3], 2, 3)).toThrow('crossEntropy: label 3 at row 1 is not a class index; expected an integer in [0, 2]');
    expect(() => checkLabels('crossEntropy', [0.5], 1, 3)).toThrow('label 0.5 at row 0');
    expect(() => checkLabels('crossEntropy', [0], 2, 3)).toThrow('got 1 labels for a batch of 2 rows');
    // values named as what they are: a string quoted, NaN as NaN
    expect(() => checkLabels('crossEntropy', ['0', '1'] as never, 2, 3)).toThrow('crossEntropy: label "0" at row 0 is not a class index');
    expect(() => checkLabels('crossEntropy', [NaN], 1, 3)).toThrow('crossEntropy: label NaN at row 0 is not a class index');
  });
});
