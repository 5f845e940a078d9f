// Checking that backward rules are themselves differentiable (second derivatives), in float64:
//
//   G(x, v) = vᵀ J(x)            the first derivatives: backward({ gradient: v }), recorded with createGraph
//   s(x, v) = Σ_i ⟨G_i(x, v), w_i⟩   with v (output-shaped) and w_i (input-shaped) fixed random draws
//   analytic: ∂s/∂x and ∂s/∂v by differentiating the recorded backward pass
//   numeric:  central differences (s(x + ε e_j) − s(x − ε e_j)) / 2ε, each s from a plain backward pass
//
// ∂s/∂x checks the second derivatives (H w for a scalar fn); ∂s/∂v = J w checks that each rule is differentiable in
// its incoming gradient too, which jvp() relies on. An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.

import type { Shape } from './kernels/index.ts';
import { Random, shapeStr } from './kernels/index.ts';
import { gradients } from './functional.ts';
import { Tensor } from './tensor.ts';

export interface GradgradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, times |numeric| (default 1e-3). */
  rtol?: number;
  /** Seed of the random v and w (default 1). */
  seed?: number;
}

export interface GradgradcheckEntry {
  /** 'input 0', 'input 1', …, or 'cotangent' (the incoming gradient v). */
  readonly name: string;
  readonly shape: Shape;
  readonly ok: boolean;
  /** max_j |analytic_j − numeric_j| */
  readonly maxAbs: number;
  /** max_j |analytic_j − numeric_j| / max(|numeric_j|, atol) */
  readonly maxRel: number;
  readonly analytic: Float64Array;
  readonly numeric: Float64Array;
}

export interface GradgradcheckResult {
  readonly ok: boolean;
  /** One entry per input that requires grad, in order, then one for the cotangent. */
  readonly perInput: readonly GradgradcheckEntry[];
  /** One line for a failure message. */
  readonly summary: string;
}

function f64(x: Tensor, requiresGrad: boolean, data: ArrayLike<number> = x.data): Tensor {
  return new Tensor(Float64Array.from(data), x.shape, { requiresGrad });
}

/**
 * Compares the second derivatives of `fn` (through createGraph backward passes) with central differences of its
 * first derivatives, for every input that requires grad, and the derivatives with respect to the incoming gradient.
 * Inputs are copied to float64; the originals and their `.grad` are left alone.
 */
export function gradgradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradgradcheckOptions = {},
): GradgradcheckResult {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 1 } = options;
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`gradgradcheck: input ${i} is not a Tensor`);
  });
  const checked = inputs.flatMap((x, i) => (x.requiresGrad ? [i] : []));
  if (checked.length === 0) throw new Error('gradgradcheck: no input requires grad; create the inputs to check with { requiresGrad: true }');
  const point = inputs.map((x) => Float64Array.from(x.data));
  const rng = new Random(seed);
  const draw = (n: number) => Float64Array.from({ length: n }, () => rng.normal());

  const outShape = fn(...inputs.map((x, i) => f64(x, false, point[i]))).shape;
  const v = draw(outShape.reduce((a, b) => a * b, 1));
  const w = checked.map((i) => draw(inputs[i].size));

  // s(x, v) = Σ_i ⟨G_i(x, v), w_i⟩; with createGraph, s is differentiable in x and v
  const s = (xs: Tensor[], vt: Tensor, createGraph: boolean): Tensor | number => {
    const out = fn(...xs);
    if (!out.requiresGrad) return 0;
    const gs = gradients(out, checked.map((i) => xs[i]), { gradOutputs: vt, createGraph });
    let total: Tensor | number = 0;
    gs.forEach((g, k) => {
      if (g === null) return;
      const term = g.mul(new Tensor(w[k], g.shape)).sum();
      total = typeof total === 'number' ? term : total.add(term);
    });
    return total;
  };

  // analytic: differentiate the recorded first derivatives
  const xs = inputs.map((x, i) => f64(x, x.requiresGrad, point[i]));
  const vt = new Tensor(Float64Array.from(v), outShape, { requiresGrad: true });
  const sa = s(xs, vt, true);
  const targets = [...checked.map((i) => xs[i]), vt];
  const analytic =
    sa instanceof Tensor && sa.requiresGrad
      ? gradients(sa, targets).map((g, k) => Float64Array.from(g?.data ?? new Float64Array(targets[k].size)))
      : targets.map((t) => new Float64Array(t.size));

  // numeric: central differences of s, each from plain backward passes at the perturbed point
  const valueAt = (vData: Float64Array): number => {
    const r = s(inputs.map((x, i) => f64(x, x.requiresGrad, point[i])), new Tensor(vData, outShape), false);
    return typeof r === 'number' ? r : r.item();
  };
  const central = (buf: Float64Array, j: number): number => {
    const x0 = buf[j];
    buf[j] = x0 + eps;
    const plus = valueAt(v);
    buf[j] = x0 - eps;
    const minus = valueAt(v);
    buf[j] = x0;
    return (plus - minus) / (2 * eps);
  };
  const buffers = [...checked.map((i) => point[i]), v];
  const names = [...checked.map((i) => `input ${i}`), 'cotangent'];
  const shapes = [...checked.map((i) => inputs[i].shape), outShape];
  let worst = '';
  let worstRatio = -1;
  const perInput = buffers.map((buf, k): GradgradcheckEntry => {
    const numeric = new Float64Array(buf.length);
    let ok = true;
    let maxAbs = 0;
    let maxRel = 0;
    for (let j = 0; j < buf.length; j++) {
      numeric[j] = central(buf, j);
      const err = Math.abs(analytic[k][j] - numeric[j]);
      const ratio = err / (atol + rtol * Math.abs(numeric[j]));
      if (!(ratio <= 1)) ok = false;
      maxAbs = Math.max(maxAbs, err);
      maxRel = Math.max(maxRel, err / Math.max(Math.abs(numeric[j]), atol));
      if (!(ratio <= worstRatio)) {
        worstRatio = ratio;
        worst = `${names[k]} ${shapeStr(shapes[k])} at flat index ${j}: analytic ${analytic[k][j]}, numeric ${numeric[j]}`;
      }
    }
    return { name: names[k], shape: shapes[k], ok, maxAbs, maxRel, analytic: analytic[k], numeric };
  });
  const allOk = perInput.every((r) => r.ok);
  const summary = `gradgradcheck: ${allOk ? 'ok' : 'FAILED'}; worst: ${worst} (${worstRatio.toFixed(3)}× the allowed ${atol} + ${rtol}·|numeric|)`;
  return { ok: allOk, perInput, summary };
}
