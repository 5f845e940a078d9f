import type { DType } from '@tapegrad/autograd/kernels';
import type { Engine, NetworkSpec } from '@tapegrad/bench';
import { autogradEngine, compareSymbols, initParams, makeBatches, manualEngine, runWorkload, syntheticDataset, workloadByName } from '@tapegrad/bench';
import { describe, expect, it } from 'vitest';
import { describeEachBackend } from './each-backend.ts';
import { chapterCopy, MUTANTS } from './mutants/index.ts';

// Checker sensitivity: every classic backprop mistake, planted in a copy of the chapter's backward, must be flagged
// by the equality report, which must name the layer (1-based) and the symbol where the mistake is made. On every
// kernel backend: the mutants' nets are small enough that their products stay in JS even on 'wasm' (each-backend.ts),
// but the ReLU mutant on the spiral workload runs its 256-row products in the wasm kernels.

interface Net {
  readonly label: string;
  readonly spec: NetworkSpec;
  readonly N: number;
  readonly square: boolean;
}

const NETS: readonly Net[] = [
  { label: "the chapter's 2-2-2-3 sigmoid, N = 3", spec: { sizes: [2, 2, 2, 3], activation: 'sigmoid' }, N: 3, square: false },
  { label: '5-6-4-3 tanh, N = 8', spec: { sizes: [5, 6, 4, 3], activation: 'tanh' }, N: 8, square: false },
  { label: '4-4-4-4 sigmoid, N = 6', spec: { sizes: [4, 4, 4, 4], activation: 'sigmoid' }, N: 6, square: true },
  { label: '3-5-5-5-5-4 tanh (4 hidden), N = 16', spec: { sizes: [3, 5, 5, 5, 5, 4], activation: 'tanh' }, N: 16, square: false },
];

function batchFor(net: Net, seed: number) {
  const [d, k] = [net.spec.sizes[0], net.spec.sizes[net.spec.sizes.length - 1]];
  const ds = syntheticDataset({ count: 4 * net.N, features: d, classes: k, seed });
  return makeBatches(ds, net.N, 1, seed)[0];
}

function compareWith(make: (spec: NetworkSpec, dtype: DType) => Engine, net: Net, dtype: DType, reference = manualEngine) {
  const params = initParams(net.spec.sizes, 'tanh', 11);
  const a = make(net.spec, dtype);
  const b = reference(net.spec, dtype);
  a.setParams(params);
  b.setParams(params);
  const batch = batchFor(net, 5);
  return compareSymbols({ name: a.name, symbols: a.symbols(batch), params: a.getParams() }, { name: b.name, symbols: b.symbols(batch), params: b.getParams() }, dtype);
}

describeEachBackend('checker sensitivity', () => {
  describe('the unmodified chapter copy', () => {
    for (const net of NETS) {
      for (const dtype of ['float32', 'float64'] as const) {
        it(`agrees with manual and autograd: ${net.label}, ${dtype}`, () => {
          expect(compareWith(chapterCopy, net, dtype).pass).toBe(true);
          expect(compareWith(chapterCopy, net, dtype, autogradEngine).pass).toBe(true);
        });
      }
    }
  });

  describe('every mutant is caught at the right layer and symbol', () => {
    for (const m of MUTANTS) {
      for (const net of NETS.filter((x) => x.square || !m.squareOnly)) {
        for (const dtype of ['float32', 'float64'] as const) {
          it(`${m.name}: ${net.label}, ${dtype}`, () => {
            const n = net.spec.sizes.length - 1;
            for (const reference of [manualEngine, autogradEngine]) {
              const r = compareWith(m.make, net, dtype, reference);
              expect(r.pass).toBe(false);
              expect(r.firstDivergence).not.toBeNull();
              const { layer, symbol } = r.firstDivergence!;
              expect({ layer, symbol }).toEqual(m.expect(n));
              // everything before the divergence in the walk still agrees: the report points at the cause, not a symptom
              const i = r.entries.findIndex((e) => !e.pass);
              expect(r.entries.slice(0, i).every((e) => e.pass)).toBe(true);
            }
          });
        }
      }
    }
  });

  describe('a mutant plugged into a whole run', () => {
    it('fails the check, names the divergence, sides the finite differences with manual, and gets no speed figure', async () => {
      const w = workloadByName('chapter');
      const m = MUTANTS.find((x) => x.name === 'missing 1/N')!;
      const r = await runWorkload(w, 'float64', { candidate: m.make, steps: 3 });
      expect(r.equality.pass).toBe(false);
      expect(r.equality.firstDivergence).toMatchObject({ layer: 3, symbol: 'delta', step: 0 });
      expect(r.speed).toBeNull();
      expect(r.speedNote).toMatch(/equality check failed/);
      const fd = r.equality.finiteDifferences;
      expect(fd.pass).toBe(false);
      for (const s of fd.samples) {
        expect(s.engines.find((e) => e.name === 'manual')!.status).toBe('pass');
      }
      expect(fd.samples.some((s) => s.engines.find((e) => e.name.startsWith('mutant'))!.status === 'fail')).toBe(true);
    });

    it('a ReLU mutant on the spiral workload is caught as well', async () => {
      const w = workloadByName('spiral');
      const m = MUTANTS.find((x) => x.name === 'bias summed over the wrong axis')!;
      const r = await runWorkload(w, 'float32', { candidate: m.make, steps: 1, speed: false });
      expect(r.equality.pass).toBe(false);
      expect(r.equality.firstDivergence).toMatchObject({ layer: 3, symbol: 'db' });
    });
  });
});
