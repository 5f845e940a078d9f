// The optimizer base: parameter groups, zeroGrad(), and the option checks every optimizer shares.
// Updates work on `.data` in place with plain loops over the flat buffers — no ops, no tape — so a step never
// records a graph and never keeps one alive; per-parameter state is a buffer allocated once, on the first step.

import type { FloatArray } from '../kernels/index.ts';
import { allocate, shapeStr } from '../kernels/index.ts';
import { nodeOf } from '../tape/marks.ts';
import { Tensor } from '../tensor.ts';
import type { OptimizerStateDict } from './state-dict.ts';
import { loadOptimizer, saveOptimizer } from './state-dict.ts';

/** One group of parameters with its own options (as in PyTorch: `[{ params, lr }, …]`). */
export type ParamGroup<O> = { params: Tensor[] } & O;

/** What an optimizer accepts: parameters, or groups of parameters each with optional overrides. */
export type Params<O> = Iterable<Tensor> | readonly ({ params: Iterable<Tensor> } & Partial<O>)[];

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
      this.checkOptions(options);
      return { ...options, params: list };
    });
    if (seen.size === 0) throw new Error(`${name}: got no parameters; expected at least one Tensor (e.g. model.parameters())`);
  }

  /** Throws on an option out of range; called for every group. */
  protected abstract checkOptions(options: O): void;

  /** Updates every parameter that has a gradient; parameters whose `.grad` is null are skipped, as in PyTorch. */
  abstract step(): void;

  /** Clears the gradients of all parameters (to null by default, like PyTorch ≥ 2.0). */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const { setToNone = true } = options;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
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
      b = allocate(p.dtype, p.size);
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

  /** The gradient buffer of `p` (null when it has none), checked against p's shape. */
  protected gradOf(p: Tensor): FloatArray | null {
    if (p.grad === null) return null;
    if (p.grad.size !== p.size) {
      throw new Error(`${this.name}.step: parameter ${shapeStr(p.shape)} has a gradient of shape ${shapeStr(p.grad.shape)}; expected the same shape`);
    }
    return p.grad.data;
  }

  protected fail(option: string, value: unknown, expected: string): never {
    throw new Error(`${this.name}: invalid ${option} ${JSON.stringify(value)}; expected ${expected}`);
  }

  protected checkNonNegative(option: string, value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.fail(option, value, 'a finite number ≥ 0');
  }

  protected checkUnitInterval(option: string, value: number): void {
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) this.fail(option, value, 'a number in [0, 1)');
  }
}

function isGroupList<O>(params: Params<O>): params is readonly ({ params: Iterable<Tensor> } & Partial<O>)[] {
  if (!Array.isArray(params)) return false;
  return params.length > 0 && params.every((g) => g !== null && typeof g === 'object' && !(g instanceof Tensor) && 'params' in g);
}

function withoutParams<T extends { params: unknown }>(group: T): Omit<T, 'params'> {
  const { params: _params, ...rest } = group;
  return rest;
}
