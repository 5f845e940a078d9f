// The fixed schedules of torch.optim.lr_scheduler (PyTorch 1.13), each as its chainable rule: the next lr from the
// lr a group has now, at lastEpoch e = 0, 1, 2, … (e = 0 is the construction step).
//
//   StepLR:            η ← η γ when e > 0 and e mod stepSize = 0
//   MultiStepLR:       η ← η γ^c when e is a milestone listed c times
//   ExponentialLR:     η ← η γ when e > 0
//   LinearLR:          e = 0: η ← η s;  0 < e ≤ T: η ← η (1 + (f − s) / (T s + (e − 1)(f − s)))
//                      (start factor s, end factor f, totalIters T): the factor goes linearly from s to f
//   CosineAnnealingLR: η ← η_min + (η − η_min) (1 + cos(π e / T)) / (1 + cos(π (e − 1) / T)),
//                      and η ← η + (η₀ − η_min)(1 − cos(π / T)) / 2 when (e − 1 − T) mod 2T = 0 (the restart of
//                      the cosine past T); the closed form is η_min + (η₀ − η_min)(1 + cos(π e / T)) / 2.

import type { SchedulableOptimizer } from './scheduler.ts';
import { LRScheduler } from './scheduler.ts';

const isPositiveInteger = (n: unknown) => Number.isInteger(n) && (n as number) > 0;
const isFiniteNumber = (x: unknown) => typeof x === 'number' && Number.isFinite(x);

export interface StepLROptions {
  /** Multiplicative factor γ (default 0.1). */
  gamma?: number;
}

/** Decays every group's lr by γ every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, stepSize: number, options: StepLROptions = {}) {
    super('StepLR', optimizer);
    const { gamma = 0.1 } = options;
    this.check('stepSize', stepSize, isPositiveInteger(stepSize), 'a positive integer');
    this.check('gamma', gamma, isFiniteNumber(gamma), 'a finite number');
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    return this.groupLrs().map((lr) => (e === 0 || e % this.stepSize !== 0 ? lr : lr * this.gamma));
  }
}

/** Decays every group's lr by γ at each milestone epoch (a milestone listed twice decays by γ²). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: ReadonlyMap<number, number>;
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, milestones: readonly number[], options: StepLROptions = {}) {
    super('MultiStepLR', optimizer);
    const { gamma = 0.1 } = options;
    this.check('milestones', milestones, Array.isArray(milestones) && milestones.every((m) => Number.isInteger(m) && m >= 0), 'a list of integers ≥ 0');
    this.check('gamma', gamma, isFiniteNumber(gamma), 'a finite number');
    const counts = new Map<number, number>();
    for (const m of milestones) counts.set(m, (counts.get(m) ?? 0) + 1);
    this.milestones = counts;
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const c = this.milestones.get(this.lastEpoch);
    return this.groupLrs().map((lr) => (c === undefined ? lr : lr * this.gamma ** c));
  }
}

/** Decays every group's lr by γ every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, gamma: number) {
    super('ExponentialLR', optimizer);
    this.check('gamma', gamma, isFiniteNumber(gamma), 'a finite number');
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.groupLrs().map((lr) => (this.lastEpoch === 0 ? lr : lr * this.gamma));
  }
}

export interface LinearLROptions {
  /** The factor s of the first epoch (default 1/3). */
  startFactor?: number;
  /** The factor f reached after totalIters epochs (default 1). */
  endFactor?: number;
  /** Epochs T over which the factor moves from s to f (default 5). */
  totalIters?: number;
}

/** Multiplies every group's lr by a factor that moves linearly from startFactor to endFactor (a warm-up). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer);
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = options;
    this.check('startFactor', startFactor, startFactor > 0 && startFactor <= 1, 'a number in (0, 1]');
    this.check('endFactor', endFactor, endFactor >= 0 && endFactor <= 1, 'a number in [0, 1]');
    this.check('totalIters', totalIters, isPositiveInteger(totalIters), 'a positive integer');
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    const [s, f, T] = [this.startFactor, this.endFactor, this.totalIters];
    if (e === 0) return this.groupLrs().map((lr) => lr * s);
    if (e > T) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (f - s) / (T * s + (e - 1) * (f - s))));
  }
}

export interface CosineAnnealingLROptions {
  /** The lowest lr η_min (default 0). */
  etaMin?: number;
}

/** Anneals every group's lr from its initial value to etaMin along half a cosine over tMax epochs (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: SchedulableOptimizer, tMax: number, options: CosineAnnealingLROptions = {}) {
    super('CosineAnnealingLR', optimizer);
    const { etaMin = 0 } = options;
    this.check('tMax', tMax, isPositiveInteger(tMax), 'a positive integer');
    this.check('etaMin', etaMin, isFiniteNumber(etaMin), 'a finite number');
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const [e, T, min] = [this.lastEpoch, this.tMax, this.etaMin];
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - min) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - min) + min);
  }
}
