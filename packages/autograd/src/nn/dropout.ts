// Dropout (Srivastava et al. 2014), as torch.nn.Dropout: in training mode each element is zeroed with probability
// p and the survivors are scaled by 1/(1 − p), so the expected output equals the input; in eval() mode it is the
// identity. out = x ⊙ m with m_i = 1/(1 − p) with probability 1 − p, else 0, drawn fresh on every call from a
// seeded generator (so a run repeats, and checkpointing the generator's getState() resumes it exactly).

import type { Random } from '../kernels/index.ts';
import { allocate, formatValue } from '../kernels/index.ts';
import { defaultRandom } from '../creation.ts';
import { mul } from '../ops/index.ts';
import { Tensor } from '../tensor.ts';
import { Module } from './module.ts';

export interface DropoutOptions {
  /** The generator of the masks (default: the one manualSeed() reseeds). */
  rng?: Random;
}

export class Dropout extends Module {
  /** The probability p of zeroing an element. */
  readonly p: number;
  private readonly rng: Random | undefined;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new Error(`Dropout: probability p must be a number in [0, 1], got ${formatValue(p)}`);
    }
    this.p = p;
    this.rng = options.rng;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const rng = this.rng ?? defaultRandom();
    const keep = 1 - this.p;
    const scale = keep === 0 ? 0 : 1 / keep; // p = 1 zeroes everything, as in PyTorch
    const mask = allocate(x.dtype, x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < keep ? scale : 0;
    return mul(x, new Tensor(mask, x.shape)); // ∂out/∂x = m: dropped elements get no gradient
  }

  override toString(): string {
    return `Dropout(p=${this.p})`;
  }
}
