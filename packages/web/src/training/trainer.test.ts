import { AutogradEngine, initParams, lockstep, makeBatches, ManualEngine, spiralDataset } from '@tapegrad/bench/core';
import { describe, expect, it } from 'vitest';
import type { TrainConfig } from './trainer.ts';
import { checkConfig, LockstepTrainer, SPIRAL } from './trainer.ts';

const SMALL: TrainConfig = { sizes: [2, 16, 3], activation: 'tanh', dtype: 'float64', lr: 0.3, batch: 24, seed: 5, perClass: 40 };

describe('LockstepTrainer', () => {
  it("takes the bench's lockstep steps: the same losses and the same verdicts, step by step", () => {
    const trainer = new LockstepTrainer(SMALL);
    const mine = Array.from({ length: 12 }, () => trainer.step());
    const spec = { sizes: SMALL.sizes, activation: SMALL.activation };
    const [a, b, probe] = [new AutogradEngine(spec, SMALL.dtype), new ManualEngine(spec, SMALL.dtype), new AutogradEngine(spec, SMALL.dtype)];
    const start = initParams(SMALL.sizes, SMALL.activation, SMALL.seed);
    a.setParams(start);
    b.setParams(start);
    const batches = makeBatches(spiralDataset({ perClass: SMALL.perClass, seed: SMALL.seed }), SMALL.batch, 64, SMALL.seed);
    const bench = lockstep(a, b, probe, batches, SMALL.dtype, { steps: 12, lr: SMALL.lr });
    expect(mine.map((r) => r.lossAutograd)).toEqual(bench.losses[0]);
    expect(mine.map((r) => r.lossManual)).toEqual(bench.losses[1]);
    expect(mine.map((r) => [r.pass, r.exact, r.maxUlps])).toEqual(bench.reports.map((r) => [r.pass, r.exact, r.maxUlps]));
    expect(mine.every((r) => r.pass)).toBe(true);
  });

  it('takes a new learning rate from the next step, and refuses a bad one', () => {
    const trainer = new LockstepTrainer(SMALL);
    trainer.step();
    trainer.setLearningRate(0.05);
    expect(trainer.config.lr).toBe(0.05);
    expect(() => trainer.setLearningRate(-1)).toThrow('learning rate -1: expected a positive number');
  });

  it('draws the decision regions of the manual network on a grid, and its accuracy rises with training', () => {
    const trainer = new LockstepTrainer(SMALL);
    const before = trainer.accuracy();
    for (let i = 0; i < 60; i++) trainer.step();
    expect(trainer.accuracy()).toBeGreaterThan(before);
    const b = trainer.boundary(8, 1);
    expect(b.classes).toHaveLength(64);
    expect(Array.from(b.confidence).every((p) => p >= 1 / 3 && p <= 1)).toBe(true);
    expect(new Set(b.classes).size).toBeGreaterThan(1);
  });
});

describe('checkConfig', () => {
  it('accepts the spiral of the bench', () => expect(checkConfig(SPIRAL)).toBe(SPIRAL));
  it.each([
    [{ sizes: [2, 64, 4] }, 'sizes 2-64-4: the spiral has 3 classes, so the last size must be 3'],
    [{ sizes: [3, 64, 3] }, 'sizes 3-64-3: the spiral has 2 inputs, so the first size must be 2'],
    [{ sizes: [2, 0, 3] }, 'sizes 2-0-3: expected positive integers, e.g. 2-64-64-3'],
    [{ lr: 0 }, 'learning rate 0: expected a positive number'],
    [{ batch: 2000 }, 'batch size 2000: expected an integer from 1 to 1536'],
    [{ seed: 1.5 }, 'seed 1.5: expected a non-negative integer'],
  ])('refuses %o, saying why', (change, message) => expect(() => checkConfig({ ...SPIRAL, ...change })).toThrow(message));
});
