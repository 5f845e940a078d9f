// The optimizers' updates as kernels: one pass over one parameter's flat buffers (θ, its gradient, the optimizer's
// state), in place, allocating nothing. The autograd optimizers (optim/*.ts) call these on each parameter's `.data`,
// and the manual engine can call them on its own buffers, so both update bit for bit alike. The loops are in
// reference.ts; Adam, the costly one (a √ and a ÷ an element), has a wasm form (table.ts).
import type { AdamScalars } from './reference.ts';
import { kernels } from './table.ts';

export type { AdamScalars, RmspropScalars, SgdScalars } from './reference.ts';

/** Adam/AdamW: θ, m, v (and AMSGrad's vMax, or null) updated in place from ∇θ; see adamScalars for the step's scalars. */
export const adamUpdate = kernels.adam;
/** SGD with momentum (buffer b), Nesterov and weight decay: θ (and b) updated in place from ∇θ. */
export const sgdUpdate = kernels.sgd;
/** RMSprop: θ, v (and ḡ when centered, b with momentum) updated in place from ∇θ. */
export const rmspropUpdate = kernels.rmsprop;
/** Adagrad: θ and G updated in place from ∇θ at learning rate η_t. */
export const adagradUpdate = kernels.adagrad;

/** Adam's hyper-parameters, as torch.optim.Adam names them. */
export interface AdamHyper {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
}

/**
 * The scalars of Adam's step t (1, 2, …): η/(1 − β₁ᵗ), √(1 − β₂ᵗ), and weight decay as an L2 term (Adam) or as the
 * factor 1 − ηλ on θ (decoupled: AdamW).
 */
export function adamScalars(o: AdamHyper, t: number, decoupled: boolean): AdamScalars {
  const [beta1, beta2] = o.betas;
  return {
    stepSize: o.lr / (1 - beta1 ** t),
    bias2Sqrt: Math.sqrt(1 - beta2 ** t),
    beta1,
    beta2,
    eps: o.eps,
    weightDecay: decoupled ? 0 : o.weightDecay,
    decay: decoupled ? 1 - o.lr * o.weightDecay : 1,
    sign: o.maximize ? -1 : 1,
  };
}
