import type { AdamHyper, FloatArray } from '@tapegrad/autograd/kernels';
import { adamScalars, adamUpdate, allocateBeside } from '@tapegrad/autograd/kernels';
import type { Network } from './network.ts';

/**
 * Adam (Kingma & Ba) for the chapter's network, with the same update kernel as autograd's optim.Adam, so that both
 * engines take bit-identical steps from identical gradients. At step t, for every W^l and b^l (θ, with g = ∂loss/∂θ):
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * (and λθ added to g for weightDecay λ). The moments are allocated once, the first time it meets a network.
 */
export class ManualAdam {
  readonly options: AdamHyper;
  /** Steps taken: t of the bias corrections. */
  t = 0;
  /** m and v of W^l and b^l, 1-based as the network's layers. */
  private moments: { mW: FloatArray[]; vW: FloatArray[]; mb: FloatArray[]; vb: FloatArray[] } | null = null;

  constructor(options: Partial<AdamHyper> = {}) {
    this.options = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false, ...options };
    const { lr, eps, weightDecay } = this.options;
    for (const [name, value] of Object.entries({ lr, eps, weightDecay })) {
      if (!(Number.isFinite(value) && value >= 0)) throw new Error(`ManualAdam: ${name} is ${value}; expected a finite number ≥ 0`);
    }
  }

  /** One step on every layer, in place: θ ← Adam(θ, ∂loss/∂θ) for θ = W^l, b^l, l = 1 … n. */
  update(net: Network, dW: readonly FloatArray[], db: readonly FloatArray[]): void {
    const m = (this.moments ??= {
      mW: net.W.map(allocateBeside), // m, v beside θ: in the kernels' memory when θ is (the update runs in place)
      vW: net.W.map(allocateBeside),
      mb: net.b.map(allocateBeside),
      vb: net.b.map(allocateBeside),
    });
    this.t += 1;
    const s = adamScalars(this.options, this.t, false);
    for (let l = 1; l <= net.n; l++) {
      adamUpdate(net.W[l], dW[l], m.mW[l], m.vW[l], null, s); // W^l ← W^l − η̂ m̂/(√v̂ + ε)
      adamUpdate(net.b[l], db[l], m.mb[l], m.vb[l], null, s); // b^l ← b^l − η̂ m̂/(√v̂ + ε)
    }
  }
}
