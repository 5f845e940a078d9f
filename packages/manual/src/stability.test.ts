import { describe, expect, it } from 'vitest';
import { ManualMLP } from './mlp.ts';

// Logits of ±1000: the softmax has its row maximum subtracted and the loss is logsumexp(z^n) − z^n_k, so the loss
// and the gradients come out finite and exact where a naive e^z or ln(a^n) would give ∞ or NaN.

describe.each(['float64', 'float32'] as const)('huge logits (%s)', (dtype) => {
  // softmax regression with z^1 = x W^1 + b^1 = [1000, −1000, 0] for x = [1, 0]
  const net = () => new ManualMLP({ sizes: [2, 3], activation: 'identity', dtype, params: { W: [[[1000, -1000, 0], [0, 0, 0]]], b: [[0, 0, 0]] } });

  it('gives the exact finite loss for each class', () => {
    const m = net();
    expect(m.lossAndGrads([1, 0], 0).loss).toBe(0); // ln(1 + e^{−1000} + e^{−2000}) rounds to 0
    expect(m.lossAndGrads([1, 0], 1).loss).toBe(2000);
    expect(m.lossAndGrads([1, 0], 2).loss).toBe(1000);
    expect(m.lossAndGrads([[1, 0], [1, 0], [1, 0]], [0, 1, 2]).loss).toBe(1000);
  });

  it('gives finite, exact gradients: δ^n = (softmax − y)/N', () => {
    const { dW, db } = net().lossAndGrads([[1, 0], [1, 0], [1, 0]], [0, 1, 2]);
    const expectNear = (got: ArrayLike<number>, want: number[]) => want.forEach((w, j) => expect(got[j]).toBeCloseTo(w, 6));
    // a^n = [1, 0, 0] in every row; Σ_rows (a^n − y)/3 = ([3, 0, 0] − [1, 1, 1])/3
    expectNear(db[0].data, [2 / 3, -1 / 3, -1 / 3]);
    expectNear(dW[0].data, [2 / 3, -1 / 3, -1 / 3, 0, 0, 0]);
    expect(Array.from(dW[0].data).every(Number.isFinite)).toBe(true);
  });

  it('splits ties evenly and leaves tiny probabilities at 0 rather than NaN', () => {
    const m = new ManualMLP({ sizes: [1, 3], activation: 'identity', dtype, params: { W: [[[1000, 1000, -1000]]], b: [[0, 0, 0]] } });
    expect(Array.from(m.forward([1]).data)).toEqual([0.5, 0.5, 0]);
    expect(m.lossAndGrads([1], 0).loss).toBeCloseTo(Math.LN2, 6);
    expect(m.lossAndGrads([1], 2).loss).toBeCloseTo(2000 + Math.LN2, 3);
  });

  it('stays finite through a deep network whose output logits are huge', () => {
    const m = new ManualMLP({ sizes: [3, 8, 8, 4], activation: 'tanh', dtype, seed: 5 });
    const p = m.getParams();
    p.W[2] = p.W[2].map((row) => row.map((v) => v * 2000));
    m.setParams(p);
    const x = [[0.5, -1, 2], [1, 1, -1]];
    const z = m.trace(x, [0, 3]).layers[2].z.data;
    expect(Math.max(...Array.from(z, Math.abs))).toBeGreaterThan(500);
    const { loss, dW, db } = m.lossAndGrads(x, [0, 3]);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(100);
    for (const g of [...dW, ...db]) expect(Array.from(g.data).every(Number.isFinite)).toBe(true);
  });
});
