import { describe, expect, it } from 'vitest';
import { headline, planSpeed } from './speed.ts';

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
