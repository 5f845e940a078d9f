// RMSprop (Hinton's lecture 6e) with PyTorch's exact update rule (torch.optim.RMSprop, single-tensor path):
//   g ← ∇θ (negated when maximize);  g ← g + λ θ              (weightDecay λ)
//   v ← α v + (1 − α) g²                                      (squareAvg)
//   centered: ḡ ← α ḡ + (1 − α) g;  s ← √(v − ḡ²) + ε,  else s ← √v + ε
//   momentum μ > 0: b ← μ b + g / s;  θ ← θ − η b,   else θ ← θ − η g / s
// The loop is the kernel rmspropUpdate (kernels/optimizers.ts).
import { rmspropUpdate } from '../kernels/index.ts';
import type { OptimizerOptions, Params } from './optimizer.ts';
import { Optimizer } from './optimizer.ts';

export interface RMSpropOptions extends OptimizerOptions {
  /** Learning rate η (default 1e-2). */
  lr: number;
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha: number;
  /** ε added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum μ (default 0). */
  momentum: number;
  /** Divide by the estimated variance √(v − ḡ²) instead of √v (default false). */
  centered: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...options });
  }

  protected checkOptions(o: RMSpropOptions): void {
    this.checkNonNegative('lr', o.lr);
    this.checkNonNegative('alpha', o.alpha);
    this.checkNonNegative('eps', o.eps);
    this.checkNonNegative('weightDecay', o.weightDecay);
    this.checkNonNegative('momentum', o.momentum);
  }

  protected takeStep(): void {
    for (const { params, lr, alpha, eps, weightDecay, momentum, centered, maximize } of this.paramGroups) {
      for (const p of params) {
        const grad = this.gradOf(p);
        if (grad === null) continue;
        const state = this.stateOf(p);
        state.step = ((state.step as number | undefined) ?? 0) + 1;
        const v = this.buffer(p, 'squareAvg');
        const gAvg = centered ? this.buffer(p, 'gradAvg') : null;
        const b = momentum > 0 ? this.buffer(p, 'momentumBuffer') : v;
        rmspropUpdate(p.data, grad, v, gAvg, b, { lr, alpha, eps, weightDecay, momentum, sign: maximize ? -1 : 1 });
      }
    }
  }
}
