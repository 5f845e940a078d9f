// The 1cycle policy (Smith & Topin 2017), as torch.optim.lr_scheduler.OneCycleLR (PyTorch 1.13), stepped once per
// batch. With total steps N and p = pctStart, the lr goes (each phase annealed from its start to its end value)
//   two phases:   initial → max over steps [0, pN − 1],  then max → min over [pN − 1, N − 1]
//   three phases: initial → max over [0, pN − 1],  max → initial over [pN − 1, 2pN − 2],  initial → min to N − 1
// with initial = maxLr / divFactor and min = initial / finalDivFactor; the momentum (SGD/RMSprop momentum, or
// Adam's β₁) runs the other way, maxMomentum → baseMomentum → maxMomentum, when cycleMomentum is on.
//   cos:    anneal(a, b, t) = b + (a − b)(1 + cos(π t)) / 2        linear: anneal(a, b, t) = a + (b − a) t
// (t ∈ [0, 1] is the fraction of the phase done.)

import type { SchedulableOptimizer } from './scheduler.ts';
import { LRScheduler, setInitialLr } from './scheduler.ts';

export interface OneCycleLROptions {
  /** The peak lr: one for all groups or one per group (required). */
  maxLr: number | readonly number[];
  /** The number of steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum inversely to the lr (default true; needs an optimizer with momentum or betas). */
  cycleMomentum?: boolean;
  /** The lowest momentum (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** The highest momentum (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Use the three-phase schedule (fast.ai's) instead of two phases (default false). */
  threePhase?: boolean;
}

type Level = 'initial' | 'max' | 'min';
interface Phase {
  endStep: number;
  lr: [Level, Level];
  momentum: ['max' | 'base', 'max' | 'base'];
}
type MomentumGroup = { lr: number; momentum?: number; betas?: readonly number[] };

export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, t: number) => number;
  private readonly levels: Record<Level, number>[];
  private readonly momenta: Record<'max' | 'base', number>[] | null;
  private readonly useBeta1: boolean;

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const {
      maxLr,
      pctStart = 0.3,
      annealStrategy = 'cos',
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
      totalSteps,
      epochs,
      stepsPerEpoch,
    } = options;
    const total = totalSteps ?? (epochs !== undefined && stepsPerEpoch !== undefined ? epochs * stepsPerEpoch : undefined);
    this.check('totalSteps', total, Number.isInteger(total) && total! > 0, 'a positive integer (give totalSteps, or epochs and stepsPerEpoch)');
    this.check('pctStart', pctStart, pctStart >= 0 && pctStart <= 1, 'a number in [0, 1]');
    this.check('annealStrategy', annealStrategy, annealStrategy === 'cos' || annealStrategy === 'linear', "'cos' or 'linear'");
    this.totalSteps = total!;
    const N = this.totalSteps;
    this.phases = threePhase
      ? [
          { endStep: pctStart * N - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { endStep: 2 * pctStart * N - 2, lr: ['max', 'initial'], momentum: ['base', 'max'] },
          { endStep: N - 1, lr: ['initial', 'min'], momentum: ['max', 'max'] },
        ]
      : [
          { endStep: pctStart * N - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { endStep: N - 1, lr: ['max', 'min'], momentum: ['base', 'max'] },
        ];
    this.anneal = annealStrategy === 'cos' ? (a, b, t) => b + ((a - b) / 2) * (Math.cos(Math.PI * t) + 1) : (a, b, t) => (b - a) * t + a;
    const groups = optimizer.paramGroups as readonly MomentumGroup[];
    const maxLrs = this.perGroup('maxLr', maxLr);
    this.levels = groups.map((g, i) => {
      const initial = maxLrs[i] / divFactor;
      setInitialLr(g, initial);
      return { initial, max: maxLrs[i], min: initial / finalDivFactor };
    });
    this.baseLrs = this.levels.map((l) => l.initial);
    this.useBeta1 = groups.length > 0 && groups[0].betas !== undefined;
    if (cycleMomentum) {
      if (groups.some((g) => g.momentum === undefined && g.betas === undefined)) {
        throw new Error('OneCycleLR: cycleMomentum needs an optimizer with momentum (SGD, RMSprop) or betas (Adam); pass { cycleMomentum: false }');
      }
      const maxM = this.perGroup('maxMomentum', maxMomentum);
      const baseM = this.perGroup('baseMomentum', baseMomentum);
      this.momenta = groups.map((g, i) => {
        this.setMomentum(g, maxM[i]);
        return { max: maxM[i], base: baseM[i] };
      });
    } else {
      this.momenta = null;
    }
    this.initialStep();
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`OneCycleLR: stepped ${step + 1} times, but the cycle has totalSteps ${this.totalSteps}; make totalSteps cover every step`);
    }
    const groups = this.optimizer.paramGroups as readonly MomentumGroup[];
    return groups.map((g, gi) => {
      let start = 0;
      for (const [i, phase] of this.phases.entries()) {
        if (step <= phase.endStep || i === this.phases.length - 1) {
          const t = (step - start) / (phase.endStep - start);
          if (this.momenta !== null) this.setMomentum(g, this.anneal(this.momenta[gi][phase.momentum[0]], this.momenta[gi][phase.momentum[1]], t));
          return this.anneal(this.levels[gi][phase.lr[0]], this.levels[gi][phase.lr[1]], t);
        }
        start = phase.endStep;
      }
      throw new Error('OneCycleLR: unreachable: the last phase always applies');
    });
  }

  private setMomentum(group: MomentumGroup, m: number): void {
    if (this.useBeta1) group.betas = [m, ...group.betas!.slice(1)];
    else group.momentum = m;
  }

  private perGroup(what: string, value: number | readonly number[]): number[] {
    const n = this.optimizer.paramGroups.length;
    if (typeof value === 'number') return new Array<number>(n).fill(value);
    this.check(what, value, Array.isArray(value) && value.length === n, `a number or a list of ${n} numbers (one per group)`);
    return [...value];
  }
}
