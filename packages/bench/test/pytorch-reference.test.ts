import type { Batch, Matrix, NetworkSpec, Symbols } from '@tapegrad/bench';
import { autogradEngine, chapterDataset, compareSymbols, manualEngine } from '@tapegrad/bench';
import { describe, expect, it } from 'vitest';
import type { MlpReferenceCase as Case } from '../../../fixtures/reference.ts';
import { mlpReferenceCases } from '../../../fixtures/reference.ts';
import { describeEachBackend } from './each-backend.ts';

// A fourth opinion that shares no code at all: PyTorch's float64 values for the same networks and batches
// (fixtures/mlp-reference.json), fed through the same equality report as the two engines, on every kernel backend.
// The fixtures are small: on 'wasm' only the 20-16-16-5 case (batch 8) reaches the wasm kernels, the others stay
// in JS below the size where wasm pays (each-backend.ts); the workloads test the wasm kernels at size.

const fixtures = { cases: mlpReferenceCases() };

const flat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), shape: [rows.length, rows[0].length] });
const row = (v: number[]): Matrix => ({ data: Float64Array.from(v), shape: [v.length] });

function labelsOf(c: Case): number[] {
  return c.targetKind === 'indices' ? c.labels! : c.target!.map((r) => r.indexOf(1));
}

function torchSymbols(c: Case): Symbols {
  const e = c.expected;
  return {
    loss: e.loss,
    layers: c.W.map((_, i) => ({
      input: flat(i === 0 ? c.x : e.a[i - 1]),
      delta: flat(e.delta[i]),
      dW: flat(e.dW[i]),
      db: row(e.db[i]),
    })),
  };
}

const usable = fixtures.cases.filter((c) => c.targetKind !== 'probabilities');

describe('the PyTorch fixtures', () => {
  it('cover the reference cases', () => {
    expect(usable.length).toBeGreaterThan(50);
  });

  it("the chapter workload's batch is the reference case's batch", () => {
    const c = fixtures.cases.find((x) => x.name === 'chapter-2-2-2-3-sigmoid-N3')!;
    const ds = chapterDataset();
    expect(Array.from(ds.x)).toEqual(c.x.flat());
    expect(Array.from(ds.labels)).toEqual(c.labels);
  });
});

describeEachBackend('both engines against PyTorch (float64)', () => {
  for (const c of usable) {
    it(c.name, () => {
      const spec: NetworkSpec = { sizes: c.sizes, activation: c.activation };
      const batch: Batch = { N: c.x.length, d: c.sizes[0], x: Float64Array.from(c.x.flat()), labels: Int32Array.from(labelsOf(c)) };
      const params = { W: c.W, b: c.b };
      const torch = { name: 'pytorch', symbols: torchSymbols(c) };
      for (const make of [autogradEngine, manualEngine]) {
        const e = make(spec, 'float64');
        e.setParams(params);
        const r = compareSymbols({ name: e.name, symbols: e.symbols(batch) }, torch, 'float64');
        expect(r.pass, `${e.name}: ${JSON.stringify(r.firstDivergence)}`).toBe(true);
      }
    });
  }
});
