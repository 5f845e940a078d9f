import { describe, expect, it } from 'vitest';
import { compareParams, compareSymbols, describeDivergence, diffArrays, mergeReports, TOLERANCES } from './compare.ts';
import type { FlatParams, Symbols } from './engine.ts';

const m = (values: number[], shape = [values.length]) => ({ data: Float64Array.from(values), shape });

describe('diffArrays', () => {
  it('reports bit-exact arrays as exact', () => {
    const d = diffArrays(m([1, -2, 0]), m([1, -2, -0]), 'float64');
    expect(d).toMatchObject({ exact: true, pass: true, maxAbs: 0, maxRel: 0, maxUlps: 0, mismatches: 0 });
  });

  it('measures abs, rel and ulps, and passes within the tolerance', () => {
    const d = diffArrays(m([1 + 4 * Number.EPSILON, 2]), m([1, 2]), 'float64');
    expect(d.exact).toBe(false);
    expect(d.pass).toBe(true);
    expect(d.maxUlps).toBe(4);
    expect(d.maxAbs).toBeCloseTo(4 * Number.EPSILON, 30);
    expect(d.worst).toMatchObject({ index: 0 });
  });

  it('fails beyond the tolerance and counts the mismatches', () => {
    const d = diffArrays(m([1.001, 2, 3.5]), m([1, 2, 3]), 'float32');
    expect(d.pass).toBe(false);
    expect(d.mismatches).toBe(2);
    expect(d.worst).toMatchObject({ index: 2, a: 3.5, b: 3 });
  });

  it('judges elements far below the array scale against the floor, not their own size', () => {
    // 1e-12 vs 2e-12 is 50% off, but the array's scale is 1: the difference is 1e-12 of it
    expect(diffArrays(m([1, 1e-12]), m([1, 2e-12]), 'float32').pass).toBe(true);
    expect(diffArrays(m([1, 1e-12]), m([1, 2e-12]), 'float64').pass).toBe(true);
    expect(diffArrays(m([1, 1e-9]), m([1, 2e-9]), 'float64').pass).toBe(false);
  });

  it('takes the floor from the terms when they are larger than the result (cancellation)', () => {
    const a = m([1e-4 + 3e-8]);
    const b = m([1e-4]);
    expect(diffArrays(a, b, 'float32').pass).toBe(false);
    expect(diffArrays(a, b, 'float32', TOLERANCES.float32, 0.1).pass).toBe(true);
  });

  it('reports shape mismatches and non-finite values as failures', () => {
    expect(diffArrays(m([1, 2]), m([1, 2, 3]), 'float64')).toMatchObject({ pass: false, problem: 'shape [2] vs [3]' });
    const d = diffArrays(m([1, NaN]), m([1, 2]), 'float64');
    expect(d.pass).toBe(false);
    expect(d.problem).toMatch(/non-finite value at flat index 1/);
  });
});

function net(scale: number): { symbols: Symbols; params: FlatParams } {
  const layer = (k: number) => ({
    input: m([k, k + 1, k + 2, k + 3], [2, 2]),
    delta: m([scale * k, scale * (k + 1), scale * (k + 2), scale * (k + 3)], [2, 2]),
    dW: m([k, 2 * k, 3 * k, 4 * k], [2, 2]),
    db: m([k, -k]),
  });
  return {
    symbols: { loss: 0.5, layers: [layer(1), layer(2), layer(3)] },
    params: { W: [m([1, 2, 3, 4], [2, 2]), m([5, 6, 7, 8], [2, 2]), m([9, 1, 2, 3], [2, 2])], b: [m([1, 2]), m([3, 4]), m([5, 6])] },
  };
}

describe('compareSymbols', () => {
  it('walks parameters, forward, loss, then the backward pass from the output layer down', () => {
    const x = net(1);
    const r = compareSymbols({ name: 'a', ...x }, { name: 'b', ...net(1) }, 'float64');
    expect(r.pass).toBe(true);
    expect(r.exact).toBe(true);
    expect(r.firstDivergence).toBeNull();
    expect(r.entries.map((e) => `${e.symbol}${e.layer}`)).toEqual([
      'W3', 'b3', 'W2', 'b2', 'W1', 'b1', 'a1', 'a2', 'loss3', 'delta3', 'dW3', 'db3', 'delta2', 'dW2', 'db2', 'delta1', 'dW1', 'db1',
    ]);
  });

  it('names the first divergence in walk order, with its position', () => {
    const a = net(1);
    const b = net(1);
    (a.symbols.layers[1].delta.data as Float64Array)[3] = 99; // δ^2[1, 1]
    (a.symbols.layers[0].dW.data as Float64Array)[0] = 99; // ∂W^1 differs too, but later in the walk
    const r = compareSymbols({ name: 'a', ...a }, { name: 'b', ...b }, 'float64');
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ layer: 2, symbol: 'delta', at: [1, 1], a: 99, b: 5 });
    expect(describeDivergence(r.firstDivergence!)).toMatch(/^δ\^2\[1, 1\]: 99 vs 5/);
  });

  it('compares a float32 loss after rounding it to float32', () => {
    const a = net(1);
    const b = { ...net(1), symbols: { ...net(1).symbols, loss: Math.fround(0.1) } };
    const r = compareSymbols({ name: 'a', ...a, symbols: { ...a.symbols, loss: 0.1 } }, { name: 'b', ...b }, 'float32');
    expect(r.entries.find((e) => e.symbol === 'loss')!.exact).toBe(true);
  });

  it('flags a missing layer', () => {
    const a = net(1);
    const r = compareSymbols({ name: 'a', symbols: { loss: 0.5, layers: a.symbols.layers.slice(1) } }, { name: 'b', ...net(1) }, 'float64');
    expect(r.pass).toBe(false);
  });
});

describe('compareParams and mergeReports', () => {
  it('reports drift and keeps the first failing step', () => {
    const p = net(1).params;
    const q: FlatParams = { W: p.W.map((w) => ({ ...w, data: w.data.map((v) => v * (1 + 1e-6)) })), b: p.b };
    const same = compareParams(p, p, ['a', 'b'], 'float64');
    const drift = compareParams(q, p, ['a', 'b'], 'float64');
    expect(same.exact).toBe(true);
    expect(drift.pass).toBe(false);
    expect(compareParams(q, p, ['a', 'b'], 'float32').pass).toBe(true);
    const merged = mergeReports([same, same, drift, drift]);
    expect(merged.pass).toBe(false);
    expect(merged.firstDivergence).toMatchObject({ step: 2, symbol: 'W', layer: 3 });
    expect(mergeReports([same, same]).pass).toBe(true);
  });
});
