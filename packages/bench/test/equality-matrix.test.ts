import type { ActivationName, DType } from '@tapegrad/autograd/kernels';
import type { LockstepResult, NetworkSpec } from '@tapegrad/bench';
import {
  autogradEngine,
  DEFAULT_FD_TOLERANCE,
  describeDivergence,
  finiteDifferences,
  hiddenActivations,
  initParams,
  lockstep,
  makeBatches,
  manualEngine,
  syntheticDataset,
} from '@tapegrad/bench';
import { describe, expect, it } from 'vitest';
import { describeEachBackend } from './each-backend.ts';

// Gradient equality across the matrix the issue asks for, through the packages' public APIs: depth 0–5 hidden
// layers, several widths, every activation, batches of 1, 3 and 64, float32 and float64. For each network: the
// equality report at every step of a short lockstep run (both engines from one seeded initialisation, on the same
// batches), the parameters after it, and float64 finite differences on a sample of parameters.
//
// Both engines call the same kernels in the same order (the forward's matmulBias and act.f, the softmax and loss
// kernels, each activation's `backward` kernel for ⊙ act'(z^l)), so every case must agree bit for bit, not to a
// tolerance: in every symbol of every lockstep step, and in the parameters after it.
//
// The whole matrix runs on every kernel backend (each-backend.ts): the reference JS kernels and the wasm ones must
// both give gradients the two engines agree on. It is cheap (a few seconds per backend on 2 cores), so neither
// backend gets a cut-down matrix. On 'wasm', most products at width 24 or batch 64 go to the wasm kernels; the
// smaller ones stay in JS (see each-backend.ts).

const ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'identity'];
const DEPTHS = [0, 1, 2, 3, 4, 5];
const WIDTHS = [4, 24];
const BATCHES = [1, 3, 64];
const DTYPES: readonly DType[] = ['float32', 'float64'];

function sizesFor(depth: number, width: number): number[] {
  // inputs and classes differ from the hidden width so that no transpose or axis mix-up can hide
  return [5, ...Array.from({ length: depth }, (_, i) => width + (i % 2)), 3];
}

function check(spec: NetworkSpec, N: number, dtype: DType, seed: number) {
  const sizes = spec.sizes;
  const ds = syntheticDataset({ count: Math.max(2 * N, 8), features: sizes[0], classes: sizes[sizes.length - 1], seed });
  const batches = makeBatches(ds, N, 3, seed);
  const params = initParams(sizes, typeof spec.activation === 'string' ? spec.activation : 'tanh', seed);
  const a = autogradEngine(spec, dtype);
  const b = manualEngine(spec, dtype);
  a.setParams(params);
  b.setParams(params);
  const fdBatch = batches[0];
  const sa = a.symbols(fdBatch);
  const sb = b.symbols(fdBatch);
  const fd = finiteDifferences(
    { sizes, activations: hiddenActivations(spec) },
    b.getParams(),
    fdBatch,
    [
      { name: 'autograd', dW: sa.layers.map((l) => l.dW), db: sa.layers.map((l) => l.db) },
      { name: 'manual', dW: sb.layers.map((l) => l.dW), db: sb.layers.map((l) => l.db) },
    ],
    { samples: 16, seed, ...DEFAULT_FD_TOLERANCE[dtype], inputDtype: dtype },
  );
  const ls = lockstep(a, b, autogradEngine(spec, dtype), batches, dtype, { steps: 3, lr: 0.1 });
  return { fd, ls };
}

/** Where the engines first differ in any bit: the step, layer, symbol and both values; '' when nowhere. */
function firstInexact(ls: LockstepResult): string {
  for (const [step, report] of ls.reports.entries()) {
    const e = report.entries.find((x) => !x.exact);
    if (e !== undefined) return `step ${step}, layer ${e.layer}, ${e.symbol}: ${e.worst?.a} vs ${e.worst?.b} (${e.maxUlps} ulps)`;
  }
  const e = ls.drift.entries.find((x) => !x.exact);
  return e === undefined ? '' : `after training, layer ${e.layer}, ${e.symbol}: ${e.worst?.a} vs ${e.worst?.b}`;
}

describeEachBackend('the equality matrix', () => {
  let seed = 100; // the same seeds on every backend
  for (const dtype of DTYPES) {
    for (const activation of ACTIVATIONS) {
      describe(`${dtype}, ${activation}`, () => {
        for (const depth of DEPTHS) {
          for (const width of depth === 0 ? [0] : WIDTHS) {
            for (const N of BATCHES) {
              const sizes = sizesFor(depth, width);
              const s = seed++;
              it(`${sizes.join('-')}, batch ${N}`, () => {
                const { fd, ls } = check({ sizes, activation }, N, dtype, s);
                const where = ls.equality.firstDivergence ? describeDivergence(ls.equality.firstDivergence) : '';
                expect(ls.equality.pass, where).toBe(true);
                expect(firstInexact(ls)).toBe('');
                expect(ls.equality.exact).toBe(true);
                expect(ls.drift.exact).toBe(true);
                expect(ls.reports).toHaveLength(3);
                expect(ls.losses[0].every(Number.isFinite)).toBe(true);
                expect(fd.pass, JSON.stringify(fd.samples.filter((x) => x.engines.some((e) => e.status === 'fail')))).toBe(true);
                expect(fd.checked).toBeGreaterThan(0);
              });
            }
          }
        }
      });
    }
  }

  describe('a different activation in every hidden layer', () => {
    for (const dtype of DTYPES) {
      it(`5-7-6-5-4-3, sigmoid/relu/tanh/leakyRelu, batch 64, ${dtype}`, () => {
        const spec: NetworkSpec = { sizes: [5, 7, 6, 5, 4, 3], activation: ['sigmoid', 'relu', 'tanh', 'leakyRelu'] };
        const { fd, ls } = check(spec, 64, dtype, 7);
        expect(ls.equality.pass).toBe(true);
        expect(firstInexact(ls)).toBe('');
        expect(ls.drift.exact).toBe(true);
        expect(fd.pass).toBe(true);
      });
    }
  });
});
