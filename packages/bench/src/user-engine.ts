import type { ActivationName, DType } from '@tapegrad/autograd/kernels';
import type { SymbolName } from './compare.ts';
import type { UserBatch } from './check/problem.ts';
import type { UserGradients } from './check/user-gradients.ts';
import { userSymbols } from './check/user-gradients.ts';
import type { Batch } from './datasets/dataset.ts';
import type { Engine, EngineFactory, FlatParams, NetworkSpec, Params, Symbols } from './engine.ts';
import { batchX, flattenParams, hiddenActivations } from './engine.ts';

// Your engine, as little as the equality check needs: gradients for given parameters and a batch, in plain
// arrays. A training step and forward/backward hooks are optional: with step() the lockstep run trains with your
// own update; with forward() and backward() the bench also times your engine beside the manual one. The adapter
// below turns it into the bench's Engine, so that everything the bench does to autograd it does to yours.

/** The network your factory is asked to build: softmax and mean cross-entropy on top of the last layer. */
export interface UserNetwork {
  /** Layer widths [d, h_1, …, k]. */
  readonly sizes: readonly number[];
  /** The activation of each hidden layer (hidden layer 1 at index 0). */
  readonly activations: readonly ActivationName[];
  readonly dtype: DType;
}

/** Parameters in plain arrays: W[l − 1] is W^l as in × out rows (z^l = a^{l−1} W^l + b^l), b[l − 1] is b^l. */
export interface UserParams {
  readonly W: readonly (readonly (readonly number[])[])[];
  readonly b: readonly (readonly number[])[];
}

/** What step() returns: the parameters after one SGD step, and the loss before it if you have it. */
export interface UserStep extends UserParams {
  readonly loss?: number;
}

export interface UserEngine {
  /** Shown in reports (default: the module's file name). */
  readonly name?: string;
  /**
   * ∂loss/∂W^l and ∂loss/∂b^l (and δ^l, the loss, when you have them) of the mean cross-entropy at `params` on
   * `batch`. The same params object comes back until the parameters change, so you may cache what you derive.
   */
  gradients(params: UserParams, batch: UserBatch): UserGradients;
  /** Optional: one SGD step, W ← W − lr ∂loss/∂W (the same for b), your own way; returns the new parameters. */
  step?(params: UserParams, batch: UserBatch, lr: number): UserStep;
  /** Optional, for timing: the forward pass alone. */
  forward?(params: UserParams, batch: UserBatch): unknown;
  /** Optional, for timing: the backward pass for the batch of the last forward(). */
  backward?(): unknown;
}

/** A module's engine: one for every network (an object), or a factory called once per network and dtype. */
export type UserEngineFactory = (network: UserNetwork) => UserEngine;

const batches = new WeakMap<Batch, Partial<Record<DType, UserBatch>>>();

/** The batch in plain arrays, x rounded to `dtype` as the engines see it (converted once per batch). */
function userBatch(batch: Batch, dtype: DType): UserBatch {
  let entry = batches.get(batch);
  if (entry === undefined) batches.set(batch, (entry = {}));
  return (entry[dtype] ??= {
    x: Array.from({ length: batch.N }, (_, r) => Array.from(batchX(batch, dtype).subarray(r * batch.d, (r + 1) * batch.d))),
    labels: Array.from(batch.labels),
  });
}

const roundTo = (dtype: DType) => (dtype === 'float32' ? Math.fround : (v: number) => v);

/** A user's engine behind the bench's Engine interface. */
export class UserEngineAdapter implements Engine {
  readonly name: string;
  readonly sizes: readonly number[];
  readonly dtype: DType;
  /** Whether the engine has forward() and backward(), without which it is not timed. */
  readonly timed: boolean;
  /** Whether the engine has its own step(); without one, lockstep training applies SGD to its gradients. */
  readonly steps: boolean;
  private readonly user: UserEngine;
  private params: UserParams = { W: [], b: [] };
  private given: readonly SymbolName[] = ['dW', 'db'];

  constructor(source: UserEngine | UserEngineFactory, spec: NetworkSpec, dtype: DType, fallbackName = 'your engine') {
    this.sizes = spec.sizes;
    this.dtype = dtype;
    const network: UserNetwork = { sizes: [...spec.sizes], activations: hiddenActivations(spec), dtype };
    const user = typeof source === 'function' ? source(network) : source;
    if (user === null || typeof user !== 'object' || typeof user.gradients !== 'function') {
      throw new Error(`${fallbackName}: expected an engine with a gradients(params, batch) method, got ${user === null ? 'null' : typeof user}`);
    }
    this.user = user;
    this.name = typeof user.name === 'string' && user.name.length > 0 ? user.name : fallbackName;
    this.timed = typeof user.forward === 'function' && typeof user.backward === 'function';
    this.steps = typeof user.step === 'function';
  }

  /** The parameters and the symbols it gives: the loss and δ^l only if its gradients() returned them. */
  get provides(): readonly SymbolName[] {
    return ['W', 'b', ...this.given];
  }

  setParams(params: Params, where = 'params'): void {
    flattenParams(params, this.sizes, `${this.name}: ${where}`);
    const r = roundTo(this.dtype);
    this.params = { W: params.W.map((w) => w.map((row) => row.map(r))), b: params.b.map((b) => b.map(r)) };
  }

  getParams(): FlatParams {
    const flat = flattenParams(this.params, this.sizes, `${this.name}: params`);
    const cast = (a: Float64Array) => (this.dtype === 'float64' ? a : Float32Array.from(a));
    return {
      W: flat.W.map((w, i) => ({ data: cast(w), shape: [this.sizes[i], this.sizes[i + 1]] })),
      b: flat.b.map((b, i) => ({ data: cast(b), shape: [this.sizes[i + 1]] })),
    };
  }

  symbols(batch: Batch): Symbols {
    const { symbols, given } = userSymbols(this.user.gradients(this.params, userBatch(batch, this.dtype)), this.sizes, batch.N, this.dtype);
    this.given = given;
    return symbols;
  }

  step(batch: Batch, lr: number): number {
    const ub = userBatch(batch, this.dtype);
    if (this.user.step !== undefined) {
      const next = this.user.step(this.params, ub, lr);
      this.setParams(next, 'what step() returned');
      return typeof next.loss === 'number' ? next.loss : NaN;
    }
    // no step() of its own: θ ← θ − lr ∂loss/∂θ with its gradients, rounded to the dtype as the engines' axpy does
    // (a gradient of the wrong shape, already a failure of the comparison, leaves its parameter as it was)
    const { symbols } = userSymbols(this.user.gradients(this.params, ub), this.sizes, batch.N, this.dtype);
    const r = roundTo(this.dtype);
    const update = (p: readonly number[], g: ArrayLike<number>) => (g.length === p.length ? p.map((v, i) => r(v + -lr * g[i])) : [...p]);
    this.params = {
      W: this.params.W.map((w, l) => {
        const cols = this.sizes[l + 1];
        const g = symbols.layers[l].dW.data;
        return g.length === w.length * cols ? w.map((row, i) => update(row, g.subarray(i * cols, (i + 1) * cols))) : w.map((row) => [...row]);
      }),
      b: this.params.b.map((b, l) => update(b, symbols.layers[l].db.data)),
    };
    return symbols.loss;
  }

  forward(batch: Batch): void {
    if (this.user.forward === undefined) throw new Error(`${this.name}: no forward() to time`);
    this.user.forward(this.params, userBatch(batch, this.dtype));
  }

  backward(): void {
    if (this.user.backward === undefined) throw new Error(`${this.name}: no backward() to time`);
    this.user.backward();
  }
}

/** The bench's EngineFactory for a user's engine or engine factory. */
export function userEngineFactory(source: UserEngine | UserEngineFactory, fallbackName?: string): EngineFactory {
  return (spec, dtype) => new UserEngineAdapter(source, spec, dtype, fallbackName);
}
