import { describe, expect, it } from 'vitest';
import type { Batch } from './datasets/dataset.ts';
import type { Engine, Params } from './engine.ts';
import { headline, measureSpeed, planSpeed, ROUNDS, runBenchmark, summarize } from './speed.ts';

// Only the planning and the arithmetic: speed itself is never a timed test.
describe('planSpeed', () => {
  it('measures every phase when the budget allows', () => {
    const p = planSpeed([0.1, 0.05], 8, 0.25, 3);
    expect(p.phases).toEqual(['step', 'forward', 'backward']);
    expect(p.minSamples).toBe(3);
    expect(p.skipped).toEqual([]);
  });

  it('falls back to the training step alone for slow workloads, and says so', () => {
    const p = planSpeed([3000, 3000], 8, 0.25, 3);
    expect(p.phases).toEqual(['step']);
    expect(p.minSamples).toBe(2);
    expect(p.skipped).toHaveLength(2);
    expect(p.skipped[0]).toMatch(/forward: not measured, over the time budget \(8 s\) at ~3000\/3000 ms per step/);
  });

  it('fewer samples before fewer phases', () => {
    const p = planSpeed([400, 400], 8, 0.25, 5);
    expect(p.phases).toHaveLength(3);
    expect(p.minSamples).toBe(2);
  });
});

describe('headline', () => {
  it('takes the training-step medians, their ratio and the worse margin', () => {
    const f = (engine: string, phase: 'step' | 'forward', medianMs: number, rme: number) => ({ engine, phase, medianMs, rme, hz: 1000 / medianMs, meanMs: medianMs, samples: 5 });
    const h = headline([f('autograd', 'step', 3, 2), f('autograd', 'forward', 1, 9), f('manual', 'step', 2, 4)]);
    expect(h).toEqual({ autogradMs: 3, manualMs: 2, ratio: 1.5, rme: 4 });
    expect(() => headline([f('manual', 'step', 2, 4)])).toThrow(/no training-step figure for autograd/);
  });
});

describe('summarize', () => {
  it("gives benchmark.js's own hz, mean, rme and sample count for the same samples", async () => {
    let x = 0;
    const bench = await runBenchmark('sqrt', () => {
      for (let i = 0; i < 200; i++) x += Math.sqrt(i + x);
    }, { minSamples: 5, maxTime: 0.05, slow: false });
    const s = summarize(bench.stats.sample);
    expect(s.samples).toBe(bench.stats.sample.length);
    expect(s.meanMs).toBeCloseTo(bench.stats.mean * 1000, 12);
    expect(s.hz).toBeCloseTo(bench.hz, 6);
    expect(s.rme).toBeCloseTo(bench.stats.rme, 9);
  });

  it('takes the median of the samples, and refuses none', () => {
    expect(summarize([0.003, 0.001, 0.002]).medianMs).toBeCloseTo(2, 12);
    expect(summarize([0.001, 0.004]).medianMs).toBeCloseTo(2.5, 12);
    expect(() => summarize([])).toThrow('speed: no samples to summarize');
  });
});

describe('measureSpeed', () => {
  it(`runs the engines in turn, ${ROUNDS} rounds of each phase, and pools each engine's samples`, async () => {
    const calls: string[] = [];
    const fake = (name: string): Engine =>
      ({
        name,
        setParams: () => calls.push(`${name} setParams`),
        step: () => {
          for (let i = 0; i < 500; i++) Math.sqrt(i);
          return 0;
        },
        forward: () => undefined,
        backward: () => undefined,
      }) as unknown as Engine;
    const labels: string[] = [];
    const plan = { phases: ['step', 'forward'] as const, minSamples: 3, maxTime: 0.03, skipped: [], estimateS: 0 };
    const figures = await measureSpeed([fake('a'), fake('b')], {} as Batch, {
      plan,
      lr: 0.1,
      params: {} as Params,
      stepMs: [0.01, 0.01],
      onBenchmark: (label) => labels.push(label),
    });
    const turn = (phase: string) => Array.from({ length: ROUNDS }, () => [`a ${phase}`, `b ${phase}`]).flat();
    expect(labels).toEqual([...turn('step'), ...turn('forward'), 'done']);
    expect(calls.filter((c) => c.endsWith('setParams'))).toHaveLength(2 * 2 * ROUNDS);
    expect(figures.map((f) => `${f.engine} ${f.phase}`)).toEqual(['a step', 'a forward', 'b step', 'b forward']);
    for (const f of figures) expect(f.samples).toBeGreaterThanOrEqual(ROUNDS * 2);
  });
});
