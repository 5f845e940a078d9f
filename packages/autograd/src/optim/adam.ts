// Adam with PyTorch's exact update rule (torch.optim.Adam, single-tensor path), at step t = 1, 2, …:
//   g ← ∇θ (negated when maximize);  g ← g + λ θ      (weightDecay λ: L2 added to the gradient)
//   m ← β₁ m + (1 − β₁) g
//   v ← β₂ v + (1 − β₂) g²
//   v̂ ← max(v̂, v) when amsgrad, else v̂ = v
//   θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
// AdamW (./adamw.ts) differs only in how it decays: θ ← θ (1 − η λ) before the update, nothing added to g.
// The loop over a parameter's elements is the kernel adamUpdate (kernels/optimizers.ts), one pass, in place.
import type { FloatArray } from '../kernels/index.ts';
import { adamScalars, adamUpdate } from '../kernels/index.ts';
import type { Tensor } from '../tensor.ts';
import type { OptimizerOptions, Params } from './optimizer.ts';
import { Optimizer } from './optimizer.ts';

export interface AdamOptions extends OptimizerOptions {
  /** Learning rate η (default 1e-3). */
  lr: number;
  /** Decay rates (β₁, β₂) of the moment estimates (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** ε added to the denominator (default 1e-8). */
  eps: number;
  /** Weight decay λ (default 0 for Adam, 1e-2 for AdamW). */
  weightDecay: number;
  /** Use the running maximum of v (AMSGrad; default false). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

/** The shared update of Adam and AdamW; `decoupled` picks how weight decay is applied. */
export abstract class AdamFamily extends Optimizer<AdamOptions> {
  protected constructor(
    name: string,
    params: Params<AdamOptions>,
    options: Partial<AdamOptions>,
    private readonly decoupled: boolean,
  ) {
    super(name, params, { ...ADAM_DEFAULTS, ...options });
  }

  protected checkOptions(o: AdamOptions): void {
    this.checkNonNegative('lr', o.lr);
    this.checkNonNegative('eps', o.eps);
    this.checkNonNegative('weightDecay', o.weightDecay);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) this.fail('betas', o.betas, 'a pair [β₁, β₂]');
    this.checkUnitInterval('betas[0]', o.betas[0]);
    this.checkUnitInterval('betas[1]', o.betas[1]);
  }

  protected takeStep(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = this.gradOf(p);
        if (grad !== null) this.update(p, grad, group);
      }
    }
  }

  private update(p: Tensor, grad: FloatArray, o: AdamOptions): void {
    const state = this.stateOf(p);
    const t = ((state.step as number | undefined) ?? 0) + 1;
    state.step = t;
    const m = this.buffer(p, 'expAvg');
    const v = this.buffer(p, 'expAvgSq');
    const vMax = o.amsgrad ? this.buffer(p, 'maxExpAvgSq') : null;
    adamUpdate(p.data, grad, m, v, vMax, adamScalars(o, t, this.decoupled));
  }
}

export class Adam extends AdamFamily {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, options, false);
  }
}
