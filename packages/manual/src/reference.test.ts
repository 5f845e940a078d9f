import { describe, expect, it } from 'vitest';
import type { MlpReferenceCase } from '../../../fixtures/reference.ts';
import { mlpReferenceCases } from '../../../fixtures/reference.ts';
import { ManualMLP } from './mlp.ts';
import type { Matrix, YInput } from './types.ts';

// The same reference values the autograd engine is checked against: PyTorch float64 (fixtures/mlp-reference.json,
// written by fixtures/generate_reference.py), so that sharing kernels with autograd cannot hide a shared mistake.

type Nested = number[] | Nested[];

const cases = mlpReferenceCases();

const TOL = 1e-12;

function expectClose(what: string, got: Matrix, expected: Nested): void {
  const flat = (expected as number[]).flat(Infinity) as number[];
  expect(got.data.length, `${what}: number of entries`).toBe(flat.length);
  flat.forEach((e, i) => {
    const g = got.data[i];
    expect(Math.abs(g - e), `${what}[${i}]: ${g} vs ${e}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(e)));
  });
}

function targets(c: MlpReferenceCase): YInput {
  if (c.targetKind === 'indices') return c.labels as number[];
  if (c.targetKind === 'onehot') return c.target as number[][];
  return { probabilities: c.target as number[][] };
}

describe('PyTorch float64 reference (fixtures/mlp-reference.json)', () => {
  it('has the cases this test relies on', () => {
    const kinds = new Set(cases.map((c) => c.targetKind));
    expect(kinds).toEqual(new Set(['indices', 'onehot', 'probabilities']));
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const net = new ManualMLP({ sizes: c.sizes, activation: c.activation, dtype: 'float64', params: { W: c.W, b: c.b } });
    const trace = net.trace(c.x, targets(c));
    expect(Math.abs(trace.loss - c.expected.loss), `loss ${trace.loss} vs ${c.expected.loss}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(c.expected.loss)));
    trace.layers.forEach((L, i) => {
      expectClose(`z^${L.l}`, L.z, c.expected.z[i]);
      expectClose(`a^${L.l}`, L.a, c.expected.a[i]);
      expectClose(`δ^${L.l}`, L.delta, c.expected.delta[i]);
      expectClose(`dW^${L.l}`, L.dW, c.expected.dW[i]);
      expectClose(`db^${L.l}`, L.db, c.expected.db[i]);
    });
    const again = net.lossAndGrads(c.x, targets(c));
    expect(again.loss).toBe(trace.loss);
    again.dW.forEach((g, i) => expectClose(`lossAndGrads dW[${i}]`, g, c.expected.dW[i]));
  });
});
