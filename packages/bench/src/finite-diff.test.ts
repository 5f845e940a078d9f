import { describe, expect, it } from 'vitest';
import type { Batch } from './datasets/dataset.ts';
import { ManualEngine } from './engines/manual.ts';
import { finiteDifferences } from './finite-diff.ts';

// A 2-2-3 ReLU network whose first hidden unit sits exactly on its kink for the first sample: x = [1, 0],
// W^1[:, 0] = [0, 0.5], b^1[0] = 0 → z^1 = 0.
const params = {
  W: [
    [
      [0, 0.3],
      [0.5, -0.2],
    ],
    [
      [0.4, -0.1, 0.2],
      [0.3, 0.6, -0.5],
    ],
  ],
  b: [
    [0, 0.1],
    [0.01, -0.02, 0.03],
  ],
};
const batch: Batch = { N: 2, d: 2, x: Float64Array.from([1, 0, 0.3, 0.8]), labels: Int32Array.from([2, 0]) };
const spec = { sizes: [2, 2, 3], activations: ['relu' as const] };

function engineGrads() {
  const e = new ManualEngine({ sizes: spec.sizes, activation: 'relu' }, 'float64');
  e.setParams(params);
  const s = e.symbols(batch);
  return { params: e.getParams(), grads: { name: 'manual', dW: s.layers.map((l) => l.dW), db: s.layers.map((l) => l.db) } };
}

describe('finite differences', () => {
  it('agree with a correct engine on every parameter, and report the unit on the kink instead of failing', () => {
    const { params: p, grads } = engineGrads();
    const r = finiteDifferences(spec, p, batch, [grads]);
    expect(r.checked).toBe(2 * 2 + 2 + 2 * 3 + 3);
    expect(r.pass).toBe(true);
    expect(r.nearKinkUnits).toBe(1);
    // W^1[0, 0] moves z^1 of the first sample across 0: a kink, not a failure
    const w00 = r.samples.find((s) => s.layer === 1 && s.param === 'W' && s.at[0] === 0 && s.at[1] === 0)!;
    expect(w00.kinkUnits).toBe(1);
    expect(w00.engines[0].status).toBe('kink');
    expect(r.kinks).toBeGreaterThanOrEqual(1);
    for (const s of r.samples.filter((x) => x.kinkUnits === 0)) expect(s.engines[0].rel).toBeLessThan(1e-7);
  });

  it('fail a wrong gradient and say which engine', () => {
    const { params: p, grads } = engineGrads();
    const wrong = { name: 'wrong', dW: grads.dW.map((m) => ({ ...m, data: m.data.map((v) => 2 * v) })), db: grads.db };
    const r = finiteDifferences(spec, p, batch, [grads, wrong]);
    expect(r.pass).toBe(false);
    const failing = r.samples.filter((s) => s.engines.some((e) => e.status === 'fail'));
    expect(failing.length).toBeGreaterThan(0);
    for (const s of failing) {
      expect(s.engines[0].status).toBe('pass');
      expect(s.engines[1].status).toBe('fail');
    }
  });

  it('sample a seeded subset of a larger network, spread over the layers', () => {
    const big = { sizes: [4, 30, 30, 3], activations: ['tanh' as const, 'tanh' as const] };
    const e = new ManualEngine({ sizes: big.sizes, activation: 'tanh' }, 'float64');
    const b: Batch = { N: 3, d: 4, x: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i)), labels: Int32Array.from([0, 1, 2]) };
    const s = e.symbols(b);
    const g = { name: 'manual', dW: s.layers.map((l) => l.dW), db: s.layers.map((l) => l.db) };
    const r = finiteDifferences(big, e.getParams(), b, [g], { samples: 12, seed: 3 });
    expect(r.checked).toBe(12);
    expect(new Set(r.samples.map((x) => x.layer))).toEqual(new Set([1, 2, 3]));
    expect(r.pass).toBe(true);
    expect(finiteDifferences(big, e.getParams(), b, [g], { samples: 12, seed: 3 }).samples.map((x) => x.at)).toEqual(r.samples.map((x) => x.at));
  });
});
