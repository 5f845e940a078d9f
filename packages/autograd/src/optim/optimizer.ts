// The optimizer base: parameter groups, zeroGrad(), the option checks every optimizer shares, and what every step
// does around the update: each parameter it changes gets a new version (so a graph recorded before the step refuses
// backward: tape/versions.ts), its gradient is checked for shape and dtype, and with { checkFinite: true } a step
// that would write NaN or ±Infinity into a parameter is undone and refused.
// Updates work on `.data` in place with the kernels' updates over the flat buffers — no ops, no tape — so a step
// never records a graph and never keeps one alive; per-parameter state is a buffer allocated once, on the first step,
// beside θ (allocateBeside: in the kernels' memory when θ is, as nn.Linear's are, so the update copies only ∇θ).

import type { FloatArray } from '../kernels/index.ts';
import { allocateBeside, firstNonFinite, formatValue, shapeStr } from '../kernels/index.ts';
import { dropGrad, rawGrad } from '../tape/grad-field.ts';
import { nodeOf } from '../tape/marks.ts';
import { bumpVersion, describeTensor, setVersion } from '../tape/versions.ts';
import { Tensor } from '../tensor.ts';
import type { OptimizerStateDict } from './state-dict.ts';
import { loadOptimizer, saveOptimizer } from './state-dict.ts';

/** One group of parameters with its own options (as in PyTorch: `[{ params, lr }, …]`). */
export type ParamGroup<O> = { params: Tensor[] } & O;

/** What an optimizer accepts: parameters, or groups of parameters each with optional overrides. */
export type Params<O> = Iterable<Tensor> | readonly ({ params: Iterable<Tensor> } & Partial<O>)[];

/** The options every optimizer takes besides its own. */
export interface OptimizerOptions {
  /**
   * Refuse a step that would write NaN or ±Infinity into a parameter of this group (default false, as PyTorch
   * has no such check): step() then throws an Error naming the parameter, and every parameter and the optimizer's
   * state are left as they were before the step. Costs a copy of the parameters and state per step.
   */
  checkFinite?: boolean;
}

export interface ZeroGradOptions {
  /** Drop the gradients (PyTorch ≥ 2.0's default) instead of filling them with zeros. */
  setToNone?: boolean;
}

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[];
  /** Per-parameter state buffers (momentum, moments), created on a parameter's first step. */
  protected readonly state = new Map<Tensor, Record<string, FloatArray | number>>();
  private readonly name: string;

  protected constructor(name: string, params: Params<O>, defaults: O) {
    this.name = name;
    const groups = isGroupList<O>(params) ? params : [{ params }];
    if (groups.length === 0) throw new Error(`${name}: got an empty list of parameter groups; expected at least one parameter`);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((group, gi) => {
      const list = [...group.params];
      list.forEach((p, i) => {
        const where = `parameter ${i}${groups.length > 1 ? ` of group ${gi}` : ''}`;
        if (!(p instanceof Tensor)) throw new Error(`${name}: ${where} is not a Tensor (got ${p === null ? 'null' : typeof p})`);
        if (!p.isLeaf) {
          throw new Error(`${name}: ${where} (${shapeStr(p.shape)}) was computed by ${nodeOf(p)!.op}; an optimizer can only update leaf tensors`);
        }
        if (seen.has(p)) throw new Error(`${name}: ${where} (${shapeStr(p.shape)}) appears more than once; pass each parameter once`);
        seen.add(p);
      });
      const options = { ...defaults, ...withoutParams(group) } as O;
      const { checkFinite } = options as OptimizerOptions;
      if (checkFinite !== undefined && typeof checkFinite !== 'boolean') this.fail('checkFinite', checkFinite, 'true or false');
      this.checkOptions(options);
      return { ...options, params: list };
    });
    if (seen.size === 0) throw new Error(`${name}: got no parameters; expected at least one Tensor (e.g. model.parameters())`);
  }

  /** Throws on an option out of range; called for every group. */
  protected abstract checkOptions(options: O): void;

  /**
   * Updates every parameter that has a gradient; parameters whose `.grad` is null are skipped, as in PyTorch. With
   * { checkFinite: true }, throws instead of writing a non-finite value, leaving parameters and state unchanged.
   */
  step(): void {
    const undo = this.paramGroups.some(checksFinite) ? this.snapshot() : null;
    this.takeStep();
    if (undo !== null) this.refuseNonFinite(undo);
  }

  /** The update itself, for every parameter with a gradient; each one's gradient is read through gradOf(). */
  protected abstract takeStep(): void;

  /**
   * Clears the gradients of all parameters (to null by default, like PyTorch ≥ 2.0). A dropped gradient that your
   * code never read through `.grad` hands its buffer to the next backward() (tape/grad-field.ts).
   */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const { setToNone = true } = options;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) dropGrad(p);
        else p.zeroGrad();
      }
    }
  }

  /** The groups' options and every parameter's state, JSON-ready (see ./state-dict.ts): what a checkpoint saves. */
  stateDict(): OptimizerStateDict {
    return saveOptimizer(this.name, this.paramGroups, this.state);
  }

  /** Restores a stateDict() (or its JSON text) into this optimizer over the same parameters, so training resumes exactly. */
  loadStateDict(state: OptimizerStateDict | string): void {
    loadOptimizer(this.name, this.paramGroups, this.state, state, (options) => this.checkOptions(options as O));
  }

  /** The state buffer `key` of `p`, allocated (zero-filled, in p's dtype) on first use. */
  protected buffer(p: Tensor, key: string): FloatArray {
    const s = this.stateOf(p);
    let b = s[key];
    if (b === undefined) {
      b = allocateBeside(p.data); // resident with a resident θ, so the update runs in place
      s[key] = b;
    }
    return b as FloatArray;
  }

  protected stateOf(p: Tensor): Record<string, FloatArray | number> {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * The gradient buffer of `p` (null when it has none), checked against p's shape and dtype. Called once per
   * parameter the step is about to change, so it also gives p its new version.
   */
  protected gradOf(p: Tensor): FloatArray | null {
    const grad = rawGrad(p); // read, not kept: the gradient stays unseen
    if (grad === null) return null;
    if (grad.size !== p.size || grad.dtype !== p.dtype) {
      throw new Error(
        `${this.name}.step: ${describeTensor(p)} has a ${grad.dtype} gradient of shape ${shapeStr(grad.shape)}; ` +
          `expected a ${p.dtype} gradient of the same shape`,
      );
    }
    bumpVersion(p);
    return grad.data;
  }

  /** Copies of what a step may change, for the parameters of the groups with checkFinite. */
  private snapshot(): Snapshot {
    const saved: Snapshot = [];
    for (const group of this.paramGroups) {
      if (!checksFinite(group)) continue;
      for (const p of group.params) {
        if (rawGrad(p) === null) continue;
        const state = this.state.get(p);
        saved.push({
          p,
          data: p.data.slice(),
          version: p.version,
          state: state === undefined ? undefined : Object.fromEntries(Object.entries(state).map(([k, v]) => [k, typeof v === 'number' ? v : v.slice()])),
        });
      }
    }
    return saved;
  }

  /** Throws, after putting back every parameter and its state, if the step wrote a non-finite value into one. */
  private refuseNonFinite(saved: Snapshot): void {
    for (const { p } of saved) {
      const i = firstNonFinite(p.data);
      if (i < 0) continue;
      const value = p.data[i];
      const grad = rawGrad(p)!.data[i];
      for (const s of saved) {
        s.p.data.set(s.data);
        setVersion(s.p, s.version);
        if (s.state === undefined) this.state.delete(s.p);
        else this.state.set(s.p, s.state);
      }
      throw new Error(
        `${this.name}.step: the update would write ${value} into ${describeTensor(p)} at flat index ${i} (its gradient ` +
          `there is ${grad}, its value ${p.data[i]}); no parameter was changed (checkFinite). Lower the learning rate, ` +
          `clip the gradients (nn.utils.clipGradNorm) or find where they overflow with detectAnomaly(true)`,
      );
    }
  }

  protected fail(option: string, value: unknown, expected: string): never {
    throw new Error(`${this.name}: invalid ${option} ${formatValue(value)}; expected ${expected}`);
  }

  protected checkNonNegative(option: string, value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.fail(option, value, 'a finite number ≥ 0');
  }

  protected checkUnitInterval(option: string, value: number): void {
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) this.fail(option, value, 'a number in [0, 1)');
  }
}

/** A parameter's values, version and state before a step, to put back. */
type Snapshot = { p: Tensor; data: FloatArray; version: number; state: Record<string, FloatArray | number> | undefined }[];

function checksFinite(group: object): boolean {
  return (group as OptimizerOptions).checkFinite === true;
}

function isGroupList<O>(params: Params<O>): params is readonly ({ params: Iterable<Tensor> } & Partial<O>)[] {
  if (!Array.isArray(params)) return false;
  return params.length > 0 && params.every((g) => g !== null && typeof g === 'object' && !(g instanceof Tensor) && 'params' in g);
}

function withoutParams<T extends { params: unknown }>(group: T): Omit<T, 'params'> {
  const { params: _params, ...rest } = group;
  return rest;
}
