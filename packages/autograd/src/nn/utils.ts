// nn.utils: what a training loop does to gradients and parameters as a whole (torch.nn.utils.*). The clipping
// works on the `.grad` buffers in place, like PyTorch's trailing-underscore functions, reading them without marking
// them seen (tape/grad-field.ts: they keep nothing), so a loop that clips still has its gradients recycled.
//
//   clipGradNorm:  ‖g‖ = (Σ_p ‖g_p‖^q)^{1/q} over all parameters (q = normType; max |g| for Infinity);
//                  every g ← g · min(1, maxNorm / (‖g‖ + 10⁻⁶)); returns ‖g‖ before clipping
//   clipGradValue: every g_i ← clamp(g_i, −clipValue, clipValue)

import { shapeStr } from '../kernels/index.ts';
import { rawGrad } from '../tape/grad-field.ts';
import { bumpVersion } from '../tape/versions.ts';
import { Tensor } from '../tensor.ts';

/** Parameters as nn.utils takes them: one tensor or any iterable of them (e.g. model.parameters()). */
export type Parameters = Tensor | Iterable<Tensor>;

function listOf(op: string, parameters: Parameters): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`${op}: parameter ${i} is not a Tensor (got ${p === null ? 'null' : typeof p})`);
    const grad = rawGrad(p);
    if (grad !== null && grad.size !== p.size) {
      throw new Error(`${op}: parameter ${i} ${shapeStr(p.shape)} has a gradient of shape ${shapeStr(grad.shape)}; expected the same shape`);
    }
  });
  return list;
}

export interface ClipGradNormOptions {
  /** The q of the q-norm (default 2; Infinity for the largest |g|). */
  normType?: number;
  /** Throw when the total norm is NaN or ±Infinity instead of scaling by it (default false, as in PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `parameters` in place so that their total norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_); returns the total norm before scaling. Parameters without a gradient are skipped.
 */
export function clipGradNorm(parameters: Parameters, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const { normType = 2, errorIfNonfinite = false } = options;
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new Error(`clipGradNorm: maxNorm must be a number ≥ 0, got ${maxNorm}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new Error(`clipGradNorm: normType must be a number > 0 or Infinity, got ${normType}`);
  const gradTensors = listOf('clipGradNorm', parameters).flatMap((p) => rawGrad(p) ?? []);
  if (gradTensors.length === 0) return 0;
  const grads = gradTensors.map((g) => g.data);
  // the norm of the per-parameter norms, as PyTorch computes it
  const norms = grads.map((g) => norm(g, normType));
  const total = norm(norms, normType);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(
      `clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; ` +
        `pass { errorIfNonfinite: false } to scale by it anyway`,
    );
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  for (const g of gradTensors) bumpVersion(g);
  return total;
}

/** (Σ |v_i|^q)^{1/q}, or max |v_i| for q = Infinity. */
function norm(v: ArrayLike<number>, q: number): number {
  let acc = 0;
  if (q === Infinity) {
    for (let i = 0; i < v.length; i++) acc = Math.max(acc, Math.abs(v[i]));
    return acc;
  }
  if (q === 2) {
    for (let i = 0; i < v.length; i++) acc += v[i] * v[i];
    return Math.sqrt(acc);
  }
  for (let i = 0; i < v.length; i++) acc += Math.abs(v[i]) ** q;
  return acc ** (1 / q);
}

/** Clamps every gradient entry of `parameters` into [−clipValue, clipValue], in place (clip_grad_value_). */
export function clipGradValue(parameters: Parameters, clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new Error(`clipGradValue: clipValue must be a number ≥ 0, got ${clipValue}`);
  for (const p of listOf('clipGradValue', parameters)) {
    const grad = rawGrad(p);
    if (grad === null) continue;
    const g = grad.data;
    for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i], -clipValue), clipValue);
    bumpVersion(grad);
  }
}

export interface CountParametersOptions {
  /** Count only the tensors that require grad (default false: every tensor given). */
  trainableOnly?: boolean;
}

/** The number of scalars in `parameters`: `sum(p.numel() for p in params)`. */
export function countParameters(parameters: Parameters, options: CountParametersOptions = {}): number {
  let n = 0;
  for (const p of listOf('countParameters', parameters)) if (!options.trainableOnly || p.requiresGrad) n += p.size;
  return n;
}
