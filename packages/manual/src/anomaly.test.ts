import { describe, expect, it } from 'vitest';
import { ManualMLP } from './mlp.ts';
import type { ManualMLPOptions } from './types.ts';

// Non-finite values never land silently: sgdStep refuses to write a NaN or ±Infinity into the parameters, and
// detectAnomaly names the layer and the chapter's equation where the first one appears.

/** The issue's repro: z¹ = x W¹ = [4e38, 4e38] overflows float32, and everything after it is NaN. */
const overflowing = (options: Partial<ManualMLPOptions> = {}) =>
  new ManualMLP({
    sizes: [2, 2, 2],
    activation: 'identity',
    dtype: 'float32',
    params: { W: [[[2, 2], [2, 2]], [[1, 0], [0, 1]]], b: [[0, 0], [0, 0]] },
    ...options,
  });

describe('sgdStep never writes a non-finite value into the parameters', () => {
  it('refuses the repro with an error naming the gradient, and leaves the parameters as they were', () => {
    const m = overflowing();
    const before = m.getParams();
    expect(() => m.sgdStep([[1e38, 1e38]], [0], 0.1)).toThrow(
      'ManualMLP.sgdStep: ∂loss/∂W² (layer 2) is NaN at [0, 0] of 2 × 2; the step would write it into W², so the parameters ' +
        'are left as they were (the loss was NaN; detectAnomaly: true names where the first non-finite value appears)',
    );
    expect(m.getParams()).toEqual(before);
    // and the network goes on training from where it was
    expect(Number.isFinite(m.sgdStep([[1, 1]], [0], 0.1))).toBe(true);
  });

  it('refuses an update that overflows the dtype although the gradient is finite', () => {
    // z² = b = [3e38, 3e38]: δ = (softmax − y) = [−0.5, 0.5], and b − 1e38·δ = [3.5e38, …] is past float32's range
    const m = new ManualMLP({ sizes: [1, 2], activation: 'relu', dtype: 'float32', params: { W: [[[0, 0]]], b: [[3e38, 3e38]] } });
    const before = m.getParams();
    expect(() => m.sgdStep([[1]], [0], 1e38)).toThrow(
      /^ManualMLP\.sgdStep: b¹ − lr·∂loss\/∂b¹ overflows float32 at \[0\] of 2 \(b¹ is 3\.0000000\d+e\+38, ∂loss\/∂b¹ is -0\.5, lr 1e\+38\), so the parameters are left as they were$/,
    );
    expect(m.getParams()).toEqual(before);
  });

  it('a finite step still updates every parameter (the spare buffers swap in)', () => {
    const m = new ManualMLP({ sizes: [2, 3, 2], activation: 'tanh', dtype: 'float64', seed: 3 });
    const x = [[0.5, -1], [1, 2]];
    for (let step = 0; step < 3; step++) {
      const before = m.getParams();
      const { dW, db } = m.lossAndGrads(x, [0, 1]);
      const [g, gb] = [dW.map((d) => Array.from(d.data)), db.map((d) => Array.from(d.data))];
      m.sgdStep(x, [0, 1], 0.5);
      const after = m.getParams();
      after.W.forEach((Wl, l) => Wl.flat().forEach((v, i) => expect(v).toBe(before.W[l].flat()[i] + -0.5 * g[l][i])));
      after.b.forEach((bl, l) => bl.forEach((v, i) => expect(v).toBe(before.b[l][i] + -0.5 * gb[l][i])));
    }
  });
});

describe('detectAnomaly names the layer and the symbol where the first NaN or ±Infinity appears', () => {
  it('z¹ for the repro, before anything is written', () => {
    const m = overflowing({ detectAnomaly: true });
    const before = m.getParams();
    expect(() => m.sgdStep([[1e38, 1e38]], [0], 0.1)).toThrow(
      'ManualMLP.sgdStep: detectAnomaly: the first non-finite value appears in layer 1, z¹ = a⁰ W¹ + b¹: Infinity at [0, 0] of 1 × 2 ' +
        '(every value computed before it is finite)',
    );
    expect(m.getParams()).toEqual(before);
    expect(() => m.forward([[1e38, 1e38]])).toThrow('ManualMLP.forward: detectAnomaly: the first non-finite value appears in layer 1, z¹');
  });

  it('is off by default, and the property switches it', () => {
    const m = overflowing();
    expect(m.detectAnomaly).toBe(false);
    expect(Number.isNaN(m.lossAndGrads([[1e38, 1e38]], [0]).loss)).toBe(true);
    m.detectAnomaly = true;
    expect(() => m.lossAndGrads([[1e38, 1e38]], [0])).toThrow('ManualMLP.lossAndGrads: detectAnomaly: the first non-finite value appears in layer 1, z¹');
    expect(() => new ManualMLP({ sizes: [2, 2], activation: 'relu', detectAnomaly: 'yes' as never })).toThrow(
      'ManualMLP: detectAnomaly is "yes"; expected true or false',
    );
  });

  it('a later layer: z² of a network whose first layer is finite', () => {
    // z¹ = [1e30, 1e30] is finite in float32, z² = z¹ W² = [2e38 + 2e38, …] is not
    const m = new ManualMLP({
      sizes: [1, 2, 2, 2],
      activation: 'relu',
      dtype: 'float32',
      detectAnomaly: true,
      params: { W: [[[1e30, 1e30]], [[2e8, 1], [2e8, 1]], [[1, 0], [0, 1]]], b: [[0, 0], [0, 0], [0, 0]] },
    });
    expect(() => m.trace([[1]], [0])).toThrow(
      'ManualMLP.trace: detectAnomaly: the first non-finite value appears in layer 2, z² = a¹ W² + b²: Infinity at [0, 0] of 1 × 2',
    );
  });

  it('the backward pass: δ¹ = δ² (W²)ᵀ ⊙ sigmoid′(z¹) when the forward pass is finite', () => {
    // δ² = a² − y is at most 1; δ¹ = δ² (W²)ᵀ ⊙ σ′(z¹) = ±(3e38 + 3e38)·0.25 overflows float32 before the ⊙
    const m = new ManualMLP({
      sizes: [1, 1, 2],
      activation: 'sigmoid',
      dtype: 'float32',
      detectAnomaly: true,
      params: { W: [[[0]], [[3e38, -3e38]]], b: [[0], [0, 0]] },
    });
    expect(() => m.lossAndGrads([[0]], [1])).toThrow(
      /^ManualMLP\.lossAndGrads: detectAnomaly: the first non-finite value appears in layer 1, δ¹ = δ² \(W²\)ᵀ ⊙ sigmoid'\(z¹\): -?Infinity at \[0, 0\] of 1 × 1/,
    );
    // forward() alone is fine: the forward pass is finite
    expect(Array.from(m.forward([[0]]).data).every(Number.isFinite)).toBe(true);
  });

  it("the loss, when every z^l and a^l is finite but a row's loss is past float64", () => {
    // z¹ = [1.7e308, −1.7e308]: the loss of class 1 is logsumexp(z¹) − z¹₁ = 3.4e308, not a float64
    const m = new ManualMLP({ sizes: [1, 2], activation: 'relu', dtype: 'float64', detectAnomaly: true, params: { W: [[[1.7e308, -1.7e308]]], b: [[0, 0]] } });
    expect(() => m.lossAndGrads([[1]], [1])).toThrow(
      'ManualMLP.lossAndGrads: detectAnomaly: the first non-finite value is the loss, mean over rows of −Σ_i y_i ln a¹_i: Infinity (every z^l and a^l is finite)',
    );
  });

  it('backward() after forward() checks the backward pass too', () => {
    const m = new ManualMLP({ sizes: [1, 1, 2], activation: 'sigmoid', dtype: 'float32', params: { W: [[[0]], [[3e38, -3e38]]], b: [[0], [0, 0]] } });
    m.detectAnomaly = true;
    m.forward([[0]]);
    expect(() => m.backward([1])).toThrow('ManualMLP.backward: detectAnomaly: the first non-finite value appears in layer 1, δ¹');
  });
});
