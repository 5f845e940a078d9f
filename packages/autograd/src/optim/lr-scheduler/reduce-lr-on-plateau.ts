// Reduce the lr when a metric stops improving, as torch.optim.lr_scheduler.ReduceLROnPlateau (PyTorch 1.13).
// step(metric) once per epoch: the metric is better than the best so far when
//   min/rel: m < best (1 − threshold)   min/abs: m < best − threshold
//   max/rel: m > best (1 + threshold)   max/abs: m > best + threshold
// After more than `patience` epochs in a row without improvement, every group's lr becomes
// max(lr · factor, minLr) (unless that changes it by no more than eps), then `cooldown` epochs pass during which
// bad epochs are not counted.

import { formatValue } from '../../kernels/index.ts';
import type { SchedulableOptimizer } from './scheduler.ts';
import { parseJson } from './scheduler.ts';

export interface ReduceLROnPlateauOptions {
  /** 'min' (default: a loss) or 'max' (an accuracy). */
  mode?: 'min' | 'max';
  /** The lr is multiplied by factor < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default) or 'abs': how threshold is applied. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** The lowest lr, for all groups or per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
}

/** The scheduler's progress, JSON-ready (best is "Infinity"/"-Infinity" before the first step). */
export interface PlateauState {
  lastEpoch: number;
  best: number | string;
  numBadEpochs: number;
  cooldownCounter: number;
  lastLr: number[];
}

export class ReduceLROnPlateau {
  readonly optimizer: SchedulableOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** The best metric so far. */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    const fail = (what: string, value: unknown, expected: string) => {
      throw new Error(`ReduceLROnPlateau: invalid ${what} ${formatValue(value)}; expected ${expected}`);
    };
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) fail('optimizer', typeof optimizer, 'an optimizer');
    if (mode !== 'min' && mode !== 'max') fail('mode', mode, "'min' or 'max'");
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') fail('thresholdMode', thresholdMode, "'rel' or 'abs'");
    if (!(factor < 1 && factor >= 0)) fail('factor', factor, 'a number in [0, 1)');
    if (!Number.isInteger(patience) || patience < 0) fail('patience', patience, 'an integer ≥ 0');
    if (!Number.isInteger(cooldown) || cooldown < 0) fail('cooldown', cooldown, 'an integer ≥ 0');
    const n = optimizer.paramGroups.length;
    if (Array.isArray(minLr) && minLr.length !== n) fail('minLr', minLr, `a number or ${n} numbers (one per group)`);
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.minLrs = typeof minLr === 'number' ? new Array<number>(n).fill(minLr) : [...minLr];
    this.best = mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records this epoch's metric (e.g. the validation loss) and lowers the lr if it has plateaued. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) throw new Error(`ReduceLROnPlateau.step: expected the metric as a number, got ${metric}`);
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const next = Math.max(group.lr * this.factor, this.minLrs[i]);
        if (group.lr - next > this.eps) group.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(m: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? m < best * (1 - threshold) : m < best - threshold;
    return this.thresholdMode === 'rel' ? m > best * (threshold + 1) : m > best + threshold;
  }

  /** The lr of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): PlateauState {
    const best = Number.isFinite(this.best) ? this.best : String(this.best);
    return { lastEpoch: this.lastEpoch, best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastLr: [...this.lastLr] };
  }

  loadStateDict(state: PlateauState | string): void {
    const s = (typeof state === 'string' ? parseJson('ReduceLROnPlateau.loadStateDict', state) : state) as PlateauState;
    const best = typeof s?.best === 'string' ? Number(s.best) : s?.best;
    if (typeof best !== 'number' || !Array.isArray(s.lastLr) || !Number.isInteger(s.lastEpoch) || !Number.isInteger(s.numBadEpochs) || !Number.isInteger(s.cooldownCounter)) {
      throw new Error('ReduceLROnPlateau.loadStateDict: expected { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr } from stateDict()');
    }
    Object.assign(this, { lastEpoch: s.lastEpoch, best, numBadEpochs: s.numBadEpochs, cooldownCounter: s.cooldownCounter, lastLr: [...s.lastLr] });
  }
}
