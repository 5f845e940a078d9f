// Scheduler behaviour beyond the PyTorch sequences of training-extra-reference.test.ts: errors, state, chaining.
import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../index.ts';

const sgd = (lr = 0.1, extra = {}) => new optim.SGD([tensor([0], { requiresGrad: true })], { lr, ...extra });
const { CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, OneCycleLR, ReduceLROnPlateau, StepLR } = optim.lrScheduler;

describe('lrScheduler', () => {
  it('construction takes the first step and getLastLr reports what each step set', () => {
    const opt = sgd(1);
    const s = new StepLR(opt, 2, { gamma: 0.5 });
    expect(s.lastEpoch).toBe(0);
    const seen = [s.getLastLr()[0]];
    for (let i = 0; i < 5; i++) {
      s.step();
      seen.push(s.getLastLr()[0]);
    }
    expect(seen).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
    expect(opt.paramGroups[0].lr).toBe(0.25);
  });

  it('a second scheduler on the same optimizer sees the first one\'s initial lr, as in PyTorch', () => {
    const opt = sgd(0.1);
    new LinearLR(opt, { startFactor: 0.5 });
    const cos = new CosineAnnealingLR(opt, 10);
    expect(cos.baseLrs).toEqual([0.1]);
  });

  it('stateDict/loadStateDict carry the progress through JSON', () => {
    const a = new CosineAnnealingLR(sgd(), 20, { etaMin: 0.01 });
    for (let i = 0; i < 7; i++) a.step();
    const opt = sgd();
    const b = new CosineAnnealingLR(opt, 20, { etaMin: 0.01 });
    b.loadStateDict(JSON.stringify(a.stateDict()));
    opt.paramGroups[0].lr = a.getLastLr()[0]; // what the optimizer's own stateDict restores
    a.step();
    b.step();
    expect(b.getLastLr()).toEqual(a.getLastLr());
    expect(() => b.loadStateDict({ lastEpoch: 1, baseLrs: [], lastLr: [] })).toThrow(/CosineAnnealingLR.loadStateDict: expected \{ lastEpoch, baseLrs, lastLr \} with 1 learning rates/);
  });

  it('rejects bad arguments by name', () => {
    expect(() => new StepLR(sgd(), 0)).toThrow('StepLR: invalid stepSize 0; expected a positive integer');
    expect(() => new MultiStepLR(sgd(), [3, -1])).toThrow('MultiStepLR: invalid milestones [3, -1]; expected a list of integers ≥ 0');
    expect(() => new ExponentialLR(sgd(), NaN)).toThrow('ExponentialLR: invalid gamma NaN; expected a finite number');
    expect(() => new LinearLR(sgd(), { startFactor: 0 })).toThrow('LinearLR: invalid startFactor 0; expected a number in (0, 1]');
    expect(() => new CosineAnnealingLR(sgd(), 1.5)).toThrow('CosineAnnealingLR: invalid tMax 1.5; expected a positive integer');
    expect(() => new OneCycleLR(sgd(), { maxLr: 1 })).toThrow('OneCycleLR: invalid totalSteps undefined; expected a positive integer (give totalSteps, or epochs and stepsPerEpoch)');
    expect(() => new OneCycleLR(sgd(), { maxLr: [1, 2], totalSteps: 5 })).toThrow('OneCycleLR: invalid maxLr [1, 2]; expected a number or a list of 1 numbers (one per group)');
    expect(() => new ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow('ReduceLROnPlateau: invalid factor 1; expected a number in [0, 1)');
    expect(() => new ReduceLROnPlateau(sgd(), { mode: 'down' as never })).toThrow(`ReduceLROnPlateau: invalid mode "down"; expected 'min' or 'max'`);
  });

  it('OneCycleLR cycles SGD momentum and Adam β₁, needs one of them, and stops after totalSteps', () => {
    const opt = sgd(0.1, { momentum: 0.9 });
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 4 });
    expect(opt.paramGroups[0].momentum).toBe(0.95);
    for (let i = 0; i < 4; i++) s.step();
    expect(() => s.step()).toThrow('OneCycleLR: stepped 6 times, but the cycle has totalSteps 4; make totalSteps cover every step');
    const adam = new optim.Adam([tensor([0], { requiresGrad: true })]);
    new OneCycleLR(adam, { maxLr: 0.01, totalSteps: 10 });
    expect(adam.paramGroups[0].betas).toEqual([0.95, 0.999]);
    const adagrad = new optim.Adagrad([tensor([0], { requiresGrad: true })]);
    expect(() => new OneCycleLR(adagrad, { maxLr: 0.01, totalSteps: 10 })).toThrow(/cycleMomentum needs an optimizer with momentum/);
  });

  it('ReduceLROnPlateau lowers the lr after patience bad epochs, down to minLr, and saves its progress', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, minLr: 0.3 });
    for (const m of [1, 1, 1]) s.step(m);
    expect(opt.paramGroups[0].lr).toBe(0.5);
    for (const m of [1, 1, 1, 1]) s.step(m);
    expect(opt.paramGroups[0].lr).toBe(0.3);
    const t = new ReduceLROnPlateau(sgd(1), { patience: 1, factor: 0.5, minLr: 0.3 });
    t.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    expect(t.stateDict()).toEqual(s.stateDict());
    expect(new ReduceLROnPlateau(sgd()).stateDict().best).toBe('Infinity');
    expect(() => s.step(NaN)).toThrow('ReduceLROnPlateau.step: expected the metric as a number, got NaN');
  });
});

describe('RMSprop and Adagrad options', () => {
  it('reject bad options by name', () => {
    const p = tensor([1], { requiresGrad: true });
    expect(() => new optim.RMSprop([p], { alpha: -0.1 })).toThrow('RMSprop: invalid alpha -0.1; expected a finite number ≥ 0');
    expect(() => new optim.Adagrad([p], { lrDecay: -1 })).toThrow('Adagrad: invalid lrDecay -1; expected a finite number ≥ 0');
    expect(() => new optim.Adagrad([p], { initialAccumulatorValue: -1 })).toThrow('Adagrad: invalid initialAccumulatorValue -1; expected a finite number ≥ 0');
  });
});
