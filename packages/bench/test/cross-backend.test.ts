import type { DType } from '@tapegrad/autograd/kernels';
import type { EngineFactory, NetworkSpec } from '@tapegrad/bench';
import {
  autogradEngine,
  compareSymbols,
  describeDivergence,
  headOf,
  initParams,
  loadDataset,
  makeBatches,
  manualEngine,
  onBackend,
  runWorkload,
  WORKLOADS,
} from '@tapegrad/bench';
import { describe, expect, it } from 'vitest';
import { unavailable } from './each-backend.ts';

// The reference backend and the fast ones must agree: each engine on the wasm kernels, and on the native ones
// (OpenBLAS), against the same engine on the JS reference kernels, at every workload's shapes, through the bench's
// own equality report and tolerances. The products differ only in summation order (SIMD lanes, register tiles,
// chunks split across threads, OpenBLAS's blocking and fused multiply-adds), so the per-dtype tolerance of
// compare.ts applies unchanged (float64 ~1e-11·scale, float32 ~1e-5·scale).
//
// chapter, spiral, mnist-mlp: a whole lockstep run (runWorkload with the engine pinned to wasm as the candidate and
// to js as the reference): gradients at every step at identical parameters, the parameters after training, and
// finite differences. wide (784-1024-1024-10): its forward and backward take ~4 s per call in the JS kernels, so
// the symbols at the initial parameters on the first 64 rows of a batch (every product still large enough for
// the wasm kernels and their threads).

const ENGINES: readonly [string, EngineFactory][] = [
  ['autograd', autogradEngine],
  ['manual', manualEngine],
];
const DTYPES: readonly DType[] = ['float32', 'float64'];
/** Lockstep steps per workload: the quick default, fewer for mnist-mlp (~0.7 s per step in the JS kernels). */
const STEPS: Record<string, number> = { chapter: 20, spiral: 8, 'mnist-mlp': 2 };

for (const fast of ['wasm', 'native'] as const) {
  const reason = unavailable(fast);
  describe.skipIf(reason !== null)(`${fast} kernels against the JS reference kernels${reason === null ? '' : ` (skipped: ${fast} backend unavailable: ${reason})`}`, () => {
    for (const w of WORKLOADS) {
      for (const dtype of DTYPES) {
        for (const [name, make] of ENGINES) {
          if (w.name !== 'wide') {
            it(`${w.name} ${dtype}, ${name}: the same gradients at every lockstep step`, async () => {
              const r = await runWorkload(w, dtype, { steps: STEPS[w.name], quick: true, speed: false, candidate: onBackend(make, fast), reference: onBackend(make, 'js') });
              expect(r.engines).toEqual([`${name}/${fast}`, `${name}/js`]);
              const d = r.equality.firstDivergence;
              expect(r.equality.pass, d === null ? r.equality.failures.join(', ') : describeDivergence(d)).toBe(true);
              expect(r.equality.finiteDifferences.pass).toBe(true);
            });
          } else {
            it(`${w.name} ${dtype}, ${name}: the same loss, activations and gradients (64 rows)`, () => {
              const ds = loadDataset(w, { samples: w.batch });
              const batch = headOf(makeBatches(ds, w.batch, 1, w.seed)[0], 64);
              const spec: NetworkSpec = { sizes: w.sizes, activation: w.activation };
              const params = initParams(w.sizes, w.activation, w.seed);
              const [a, b] = [onBackend(make, fast)(spec, dtype), onBackend(make, 'js')(spec, dtype)];
              a.setParams(params);
              b.setParams(params);
              const r = compareSymbols({ name: a.name, symbols: a.symbols(batch), params: a.getParams() }, { name: b.name, symbols: b.symbols(batch), params: b.getParams() }, dtype);
              expect(r.pass, r.firstDivergence === null ? '' : describeDivergence(r.firstDivergence)).toBe(true);
              expect(r.entries.map((e) => e.symbol)).toEqual(expect.arrayContaining(['loss', 'a', 'delta', 'dW', 'db']));
            });
          }
        }
      }
    }
  });
}
