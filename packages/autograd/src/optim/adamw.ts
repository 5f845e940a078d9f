// AdamW (Loshchilov & Hutter), as torch.optim.AdamW: decoupled weight decay θ ← θ (1 − η λ) first, then the
// Adam update of ./adam.ts with nothing added to the gradient. PyTorch's default λ is 1e-2.
import type { AdamOptions } from './adam.ts';
import { AdamFamily } from './adam.ts';
import type { Params } from './optimizer.ts';

export class AdamW extends AdamFamily {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { weightDecay: 1e-2, ...options }, true);
  }
}
