// Adagrad (Duchi et al. 2011) with PyTorch's exact update rule (torch.optim.Adagrad, dense single-tensor path),
// at step t = 1, 2, …:
//   g ← ∇θ (negated when maximize);  g ← g + λ θ     (weightDecay λ)
//   η_t = η / (1 + (t − 1) · lrDecay)
//   G ← G + g²                                       (sum; starts at initialAccumulatorValue)
//   θ ← θ − η_t g / (√G + ε)
// The loop is the kernel adagradUpdate (kernels/optimizers.ts).
import { adagradUpdate } from '../kernels/index.ts';
import type { OptimizerOptions, Params } from './optimizer.ts';
import { Optimizer } from './optimizer.ts';

export interface AdagradOptions extends OptimizerOptions {
  /** Learning rate η (default 1e-2). */
  lr: number;
  /** Decay of the learning rate with the step count (default 0). */
  lrDecay: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** The starting value of the sum of squared gradients G (default 0). */
  initialAccumulatorValue: number;
  /** ε added to the denominator (default 1e-10). */
  eps: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...options });
  }

  protected checkOptions(o: AdagradOptions): void {
    this.checkNonNegative('lr', o.lr);
    this.checkNonNegative('lrDecay', o.lrDecay);
    this.checkNonNegative('weightDecay', o.weightDecay);
    this.checkNonNegative('initialAccumulatorValue', o.initialAccumulatorValue);
    this.checkNonNegative('eps', o.eps);
  }

  protected takeStep(): void {
    for (const { params, lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } of this.paramGroups) {
      for (const p of params) {
        const grad = this.gradOf(p);
        if (grad === null) continue;
        const state = this.stateOf(p);
        if (state.sum === undefined) this.buffer(p, 'sum').fill(initialAccumulatorValue);
        const G = this.buffer(p, 'sum');
        const t = ((state.step as number | undefined) ?? 0) + 1;
        state.step = t;
        adagradUpdate(p.data, grad, G, lr / (1 + (t - 1) * lrDecay), eps, weightDecay, maximize ? -1 : 1);
      }
    }
  }
}
