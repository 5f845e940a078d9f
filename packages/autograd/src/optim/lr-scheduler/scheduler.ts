// The base of the epoch-style learning-rate schedulers, as torch.optim.lr_scheduler._LRScheduler (PyTorch 1.13):
// construction remembers each group's starting lr (baseLrs) and takes the first step (lastEpoch 0); each step()
// then increments lastEpoch and sets every group's lr from the subclass's *chainable* rule, which reads the lr the
// group has now. Stepping one by one therefore gives PyTorch's getLastLr() sequence exactly, and two schedulers on
// one optimizer compose as they do in PyTorch.

import { formatValue } from '../../kernels/index.ts';

/** What a scheduler drives: an optimizer's parameter groups, each with a mutable lr (every tapegrad optimizer). */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly { lr: number }[];
}

/** Each group's starting lr, shared by every scheduler on it (PyTorch's group['initial_lr']). */
const initialLrs = new WeakMap<object, number>();

/** The initial lr of a group: the one recorded by the first scheduler on it, else its lr now (recorded). */
export function initialLrOf(group: { lr: number }): number {
  let lr = initialLrs.get(group);
  if (lr === undefined) {
    lr = group.lr;
    initialLrs.set(group, lr);
  }
  return lr;
}

/** Overrides a group's initial lr (OneCycleLR starts from maxLr / divFactor). */
export function setInitialLr(group: { lr: number }, lr: number): void {
  initialLrs.set(group, lr);
}

/** A scheduler's progress, JSON-ready: what a checkpoint saves beside the optimizer's stateDict(). */
export interface SchedulerState {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [key: string]: unknown;
}

export abstract class LRScheduler {
  readonly optimizer: SchedulableOptimizer;
  /** Each group's lr when the schedule started. */
  baseLrs: number[];
  /** How many times step() has run after the first (construction) step: 0 after construction. */
  lastEpoch = -1;
  private lastLr: number[] = [];
  protected readonly name: string;

  protected constructor(name: string, optimizer: SchedulableOptimizer) {
    this.name = name;
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new Error(`${name}: expected an optimizer (an object with paramGroups), got ${optimizer === null ? 'null' : typeof optimizer}`);
    }
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map(initialLrOf);
  }

  /** The rule: every group's next lr, from lastEpoch (already incremented) and the groups' current lr. */
  protected abstract computeLr(): number[];

  /** The first step, taken by each subclass's constructor once its own fields are set. */
  protected initialStep(): void {
    this.step();
  }

  /** Advances the schedule one epoch (or one batch, for per-batch schedules) and sets each group's lr. */
  step(): void {
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i];
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group set by the last step (torch's get_last_lr()). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The schedule's progress (hyperparameters are the constructor's, so they are not saved). */
  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores stateDict(): load the optimizer's state first, then this (as in PyTorch). */
  loadStateDict(state: SchedulerState | string): void {
    const s = (typeof state === 'string' ? parseJson(`${this.name}.loadStateDict`, state) : state) as Partial<SchedulerState> | null;
    const n = this.optimizer.paramGroups.length;
    if (
      s === null ||
      typeof s !== 'object' ||
      !Number.isInteger(s.lastEpoch) ||
      !Array.isArray(s.baseLrs) ||
      !Array.isArray(s.lastLr) ||
      s.baseLrs.length !== n ||
      s.lastLr.length !== n
    ) {
      throw new Error(`${this.name}.loadStateDict: expected { lastEpoch, baseLrs, lastLr } with ${n} learning rates (one per group) from stateDict()`);
    }
    this.lastEpoch = s.lastEpoch!;
    this.baseLrs = [...s.baseLrs];
    this.lastLr = [...s.lastLr];
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected check(what: string, value: unknown, ok: boolean, expected: string): void {
    if (!ok) throw new Error(`${this.name}: invalid ${what} ${formatValue(value)}; expected ${expected}`);
  }
}

/** JSON.parse, with the error naming the caller. */
export function parseJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: the text is not valid JSON (${(e as Error).message})`);
  }
}
