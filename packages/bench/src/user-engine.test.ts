import { describe, expect, it } from 'vitest';
import { engine as plainMlp } from '../test/user-engines/plain-mlp.js';
import type { Batch } from './datasets/dataset.ts';
import { initParams } from './init.ts';
import type { UserEngine } from './user-engine.ts';
import { UserEngineAdapter } from './user-engine.ts';
import { networkWorkload } from './workloads.ts';

// The adapter between a user's engine (plain arrays, only gradients() required) and the bench's Engine.

const spec = { sizes: [3, 4, 2], activation: 'sigmoid' as const };
const batch: Batch = { N: 4, d: 3, x: Float64Array.from([0.5, -1, 2, 0.1, 0.3, -0.7, 1.5, 0, -2, 1, 1, 1]), labels: Int32Array.from([0, 1, 1, 0]) };

describe('UserEngineAdapter', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`without step(), takes θ ← θ − lr ∂loss/∂θ with its gradients, rounded to ${dtype}`, () => {
      // gradients of 0.1 everywhere (0.1 has no exact binary form: the rounding of the update shows)
      const constant: UserEngine = {
        gradients: () => ({ loss: 1.5, dW: [Array(12).fill(0.1), Array(8).fill(0.1)], db: [Array(4).fill(0.1), Array(2).fill(0.1)] }),
      };
      const a = new UserEngineAdapter(constant, spec, dtype);
      const params = initParams(spec.sizes, 'sigmoid', 3);
      a.setParams(params);
      expect([a.steps, a.timed]).toEqual([false, false]);
      expect(a.step(batch, 0.5)).toBe(1.5);
      const r = dtype === 'float32' ? Math.fround : (v: number) => v;
      const after = a.getParams();
      after.W.forEach((w, l) => expect(Array.from(w.data)).toEqual(params.W[l].flat().map((v) => r(r(v) + -0.5 * r(0.1)))));
      after.b.forEach((b, l) => expect(Array.from(b.data)).toEqual(params.b[l].map((v) => r(r(v) + -0.5 * r(0.1)))));
    });
  }

  it('compares what the engine gives: the parameters, ∂W, ∂b, and δ and the loss when returned', () => {
    const full = new UserEngineAdapter(plainMlp, spec, 'float64', 'fallback');
    full.setParams(initParams(spec.sizes, 'sigmoid', 1));
    full.symbols(batch);
    expect(full.name).toBe('plain-mlp');
    expect([full.steps, full.timed]).toEqual([true, true]);
    expect(full.provides).toEqual(['W', 'b', 'dW', 'db', 'delta', 'loss']);
    const bare = new UserEngineAdapter({ gradients: (p, b) => ({ dW: plainMlp({ sizes: spec.sizes, activations: ['sigmoid'], dtype: 'float64' }).gradients(p, b).dW, db: [[0, 0, 0, 0], [0, 0]] }) }, spec, 'float64', 'bare');
    bare.setParams(initParams(spec.sizes, 'sigmoid', 1));
    bare.symbols(batch);
    expect(bare.name).toBe('bare');
    expect(bare.provides).toEqual(['W', 'b', 'dW', 'db']);
    expect(() => bare.forward(batch)).toThrow(/bare: no forward\(\) to time/);
  });

  it('refuses what is not an engine, and parameters of the wrong shape', () => {
    expect(() => new UserEngineAdapter({} as UserEngine, spec, 'float64', 'my-engine')).toThrow(/my-engine: expected an engine with a gradients\(params, batch\) method, got object/);
    const a = new UserEngineAdapter(plainMlp, spec, 'float64');
    expect(() => a.setParams({ W: [[[1, 2, 3, 4]]], b: [[0, 0, 0, 0]] })).toThrow(/plain-mlp: params: 1 W and 1 b for 2 layers/);
  });
});

describe('networkWorkload', () => {
  it('describes a network given by flags, with normal data unless it is 784 wide', () => {
    expect(networkWorkload([4, 8, 3], 'tanh', 16)).toMatchObject({ name: 'custom', sizes: [4, 8, 3], activation: 'tanh', batch: 16, data: 'normal' });
    expect(networkWorkload([784, 100, 10], 'relu', 32).data).toBe('mnist');
    expect(() => networkWorkload([4], 'tanh', 16)).toThrow(/network 4: expected at least two positive integer layer widths/);
    expect(() => networkWorkload([4, 3], 'tanh', 0)).toThrow(/network 4-3: batch 0; expected a positive integer/);
  });
});
