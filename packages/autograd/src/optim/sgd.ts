// Stochastic gradient descent with PyTorch's exact update rule (torch.optim.SGD, single-tensor path):
//   g ← ∇θ (negated when maximize)
//   g ← g + λ θ                                   (weightDecay λ: L2 added to the gradient, before momentum)
//   b ← g on the first step, else b ← μ b + (1 − τ) g   (momentum μ, dampening τ; no dampening on step 1)
//   g ← g + μ b if nesterov, else g ← b           (only when μ ≠ 0)
//   θ ← θ − η g
import type { OptimizerOptions, Params } from './optimizer.ts';
import { Optimizer } from './optimizer.ts';

export interface SGDOptions extends OptimizerOptions {
  /** Learning rate η (required). */
  lr: number;
  /** Momentum μ (default 0). */
  momentum: number;
  /** Dampening τ of the momentum (default 0). */
  dampening: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
  }

  protected checkOptions(o: SGDOptions): void {
    this.checkNonNegative('lr', o.lr);
    this.checkNonNegative('momentum', o.momentum);
    this.checkNonNegative('dampening', o.dampening);
    this.checkNonNegative('weightDecay', o.weightDecay);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
  }

  protected takeStep(): void {
    for (const { params, lr, momentum, dampening, weightDecay, nesterov, maximize } of this.paramGroups) {
      for (const p of params) {
        const grad = this.gradOf(p);
        if (grad === null) continue;
        const theta = p.data;
        const n = theta.length;
        if (momentum === 0) {
          for (let i = 0; i < n; i++) {
            let g = maximize ? -grad[i] : grad[i];
            if (weightDecay !== 0) g += weightDecay * theta[i];
            theta[i] -= lr * g;
          }
          continue;
        }
        const state = this.stateOf(p);
        const first = state.momentumBuffer === undefined;
        const b = this.buffer(p, 'momentumBuffer');
        for (let i = 0; i < n; i++) {
          let g = maximize ? -grad[i] : grad[i];
          if (weightDecay !== 0) g += weightDecay * theta[i];
          b[i] = first ? g : momentum * b[i] + (1 - dampening) * g;
          g = nesterov ? g + momentum * b[i] : b[i];
          theta[i] -= lr * g;
        }
      }
    }
  }
}
