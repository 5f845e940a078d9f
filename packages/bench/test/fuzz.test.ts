import type { KernelBackend } from '@tapegrad/autograd/kernels';
import { describeCase, fuzzCase, runFuzzCase } from '@tapegrad/bench/internal';
import { describe, expect, it } from 'vitest';
import { unavailable } from './each-backend.ts';

// A few hundred random networks per run (0–5 hidden layers of width 1–64, every activation, one for all or one
// per layer, batch 1–70, float32 and float64, inputs of order 1 or scaled up to 1e30, where float32 overflows), each trained for two SGD steps by both
// engines on both kernel backends: every loss, symbol and parameter must be equal bit for bit. The seeds are new on
// every run unless TAPEGRAD_FUZZ_SEED is set; a failure prints the seed of the run and of each failing case, which
// `TAPEGRAD_FUZZ_SEED=<run seed> pnpm vitest run packages/bench/test/fuzz.test.ts` or `pnpm fuzz --case <case seed>`
// replays. The long run, and a soak: `pnpm fuzz` (scripts/fuzz-soak.ts).

const CASES = 250;
const runSeed = Number(process.env.TAPEGRAD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const backends = (['js', 'wasm', 'native'] as const).filter((b): b is KernelBackend => unavailable(b) === null);

describe(`fuzz: ${CASES} random networks, both engines bit for bit on ${backends.join(' and ')} (TAPEGRAD_FUZZ_SEED=${runSeed})`, () => {
  it('every case agrees in every bit', () => {
    const failures: string[] = [];
    let nonFinite = 0;
    for (let i = 0; i < CASES; i++) {
      const c = fuzzCase(runSeed + i);
      for (const backend of backends) {
        const o = runFuzzCase(c, backend);
        if (o.nonFinite) nonFinite++;
        if (!o.exact) failures.push(`${backend}: ${describeCase(c)} → ${o.where}`);
      }
    }
    expect(failures, `TAPEGRAD_FUZZ_SEED=${runSeed}; replay one case with pnpm fuzz --case <seed>\n${failures.slice(0, 10).join('\n')}`).toEqual([]);
    expect(nonFinite).toBeLessThan(CASES / 4); // mostly finite networks, not a run of NaN against NaN
  });

  it('draws every activation, depth, dtype and the extremes of width and batch', () => {
    const cases = Array.from({ length: CASES }, (_, i) => fuzzCase(runSeed + i));
    const activations = new Set(cases.flatMap((c) => (typeof c.spec.activation === 'string' ? [c.spec.activation] : c.spec.activation)));
    expect([...activations].sort()).toEqual(['identity', 'leakyRelu', 'relu', 'sigmoid', 'tanh']);
    expect(new Set(cases.map((c) => c.spec.sizes.length - 2)).size).toBe(6); // 0 … 5 hidden layers
    expect(new Set(cases.map((c) => c.dtype)).size).toBe(2);
    const widths = cases.flatMap((c) => c.spec.sizes.slice(0, -1));
    expect(Math.min(...widths)).toBeLessThanOrEqual(2);
    expect(Math.max(...widths)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...cases.map((c) => c.batch))).toBeGreaterThanOrEqual(60);
    expect(cases.some((c) => c.inputScale > 100)).toBe(true);
  });

  it('a case is drawn from its seed alone', () => {
    expect(fuzzCase(12345)).toEqual(fuzzCase(12345));
    expect(describeCase(fuzzCase(1))).toMatch(/^seed 1: \d+(-\d+)+ \S+, batch \d+, float(32|64)/);
  });
});
