// Stochastic gradient descent with PyTorch's exact update rule (torch.optim.SGD, single-tensor path):
//   g ← ∇θ (negated when maximize)
//   g ← g + λ θ                                   (weightDecay λ: L2 added to the gradient, before momentum)
//   b ← g on the first step, else b ← μ b + (1 − τ) g   (momentum μ, dampening τ; no dampening on step 1)
//   g ← g + μ b if nesterov, else g ← b           (only when μ ≠ 0)
//   θ ← θ − η g
// The loop is the kernel sgdUpdate (kernels/optimizers.ts).
import { sgdUpdate } from '../kernels/index.ts';
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
        const first = momentum !== 0 && this.stateOf(p).momentumBuffer === undefined;
        const b = momentum === 0 ? grad : this.buffer(p, 'momentumBuffer');
        sgdUpdate(p.data, grad, b, { lr, momentum, dampening, weightDecay, nesterov, sign: maximize ? -1 : 1, first });
      }
    }
  }
}
