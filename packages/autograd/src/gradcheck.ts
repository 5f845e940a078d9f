// Checking backward rules against central finite differences, for use in tests (ours and users').
//
//   analytic:  ∂/∂x_j Σ_i out_i·u_i, by backward() with gradient u (u fixed random, so every output element counts)
//   numeric:   (F(x + ε e_j) − F(x − ε e_j)) / 2ε,  F(x) = Σ_i fn(x)_i·u_i, always evaluated in float64
//   element j passes when |analytic − numeric| ≤ atol + rtol·|numeric|
//
// With { dtype: 'float32' } the analytic pass runs in float32 (the inputs rounded to float32 first) while the
// numeric one stays float64 at the same rounded point: a float32 op is checked against exact-ish derivatives.

import type { DType, Shape } from './kernels/index.ts';
import { allocate, checkDType, Random, sameShape, shapeStr } from './kernels/index.ts';
import { noGrad } from './grad-mode.ts';
import { Tensor } from './tensor.ts';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5 in float64, 1e-4 in float32). */
  atol?: number;
  /** Relative tolerance, times |numeric| (default 1e-3). */
  rtol?: number;
  /** u, of fn's output shape: what the output is weighted by (default: fixed standard normal draws). */
  upstream?: Tensor;
  /** Seed of the default upstream draws (default 1). */
  seed?: number;
  /** dtype of the analytic pass (default float64); the numeric pass is float64 either way. */
  dtype?: DType;
}

/** The result for one input (inputs without requiresGrad are not checked: `checked` false, `ok` true). */
export interface GradcheckInput {
  readonly checked: boolean;
  readonly shape: Shape;
  readonly ok: boolean;
  /** max_j |analytic_j − numeric_j| */
  readonly maxAbs: number;
  /** max_j |analytic_j − numeric_j| / max(|numeric_j|, atol) */
  readonly maxRel: number;
  readonly analytic: Float64Array;
  readonly numeric: Float64Array;
}

/** The element furthest outside (or closest to) its tolerance. */
export interface GradcheckWorst {
  readonly input: number;
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  readonly absErr: number;
  /** absErr / (atol + rtol·|numeric|): above 1 means the element fails. */
  readonly ratio: number;
}

export interface GradcheckResult {
  readonly ok: boolean;
  readonly perInput: readonly GradcheckInput[];
  readonly worst: GradcheckWorst | null;
  /** One line for a failure message. */
  readonly summary: string;
}

/** Σ_i a_i·b_i in float64. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Compares fn's backward-pass gradients with central differences, for every input that requires grad. The inputs
 * are copied (cast to float64, or to `dtype`); the originals and their `.grad` are left alone. `fn` must compute in
 * the dtype of the tensors it is given.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const dtype = checkDType('gradcheck', options.dtype ?? 'float64');
  const { eps = 1e-6, rtol = 1e-3, atol = dtype === 'float32' ? 1e-4 : 1e-5, seed = 1 } = options;
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`gradcheck: input ${i} is not a Tensor`);
  });
  if (!inputs.some((x) => x.requiresGrad)) {
    throw new Error('gradcheck: no input requires grad; create the inputs to check with { requiresGrad: true }');
  }
  // the point of evaluation, rounded to the analytic dtype so that both passes see the same numbers
  const round = (v: ArrayLike<number>) => Float64Array.from(dtype === 'float32' ? Float32Array.from(v) : v);
  const point = inputs.map((x) => round(x.data));

  const xs = inputs.map((x, i) => {
    const data = allocate(dtype, x.size);
    data.set(point[i]);
    return new Tensor(data, x.shape, { requiresGrad: x.requiresGrad });
  });
  const out = fn(...xs);
  if (!(out instanceof Tensor)) throw new Error('gradcheck: fn must return a Tensor');
  let u: Float64Array;
  if (options.upstream !== undefined) {
    if (!sameShape(options.upstream.shape, out.shape)) {
      throw new Error(`gradcheck: upstream is ${shapeStr(options.upstream.shape)} but fn's output is ${shapeStr(out.shape)}; expected the same shape`);
    }
    u = round(options.upstream.data);
  } else {
    const rng = new Random(seed);
    u = round(Array.from({ length: out.size }, () => rng.normal()));
  }
  if (out.requiresGrad) {
    const gradient = new Tensor(allocate(out.dtype, out.size), out.shape);
    gradient.data.set(u);
    out.backward({ gradient });
  }

  // F(x) = Σ fn(x)·u in float64, with the inputs wrapping the (mutated) `point` buffers
  const F = (): number =>
    noGrad(() => {
      const o = fn(...point.map((p, i) => new Tensor(p, inputs[i].shape)));
      if (!sameShape(o.shape, out.shape)) throw new Error('gradcheck: fn returned differently shaped outputs on two calls');
      return dot(o.data, u);
    });

  let worst: GradcheckWorst | null = null;
  const perInput = inputs.map((x, i): GradcheckInput => {
    const analytic = Float64Array.from(xs[i].grad?.data ?? new Float64Array(x.size));
    const numeric = new Float64Array(x.size);
    if (!x.requiresGrad) return { checked: false, shape: x.shape, ok: true, maxAbs: 0, maxRel: 0, analytic, numeric };
    let ok = true;
    let maxAbs = 0;
    let maxRel = 0;
    for (let j = 0; j < x.size; j++) {
      const v = point[i][j];
      point[i][j] = v + eps;
      const plus = F();
      point[i][j] = v - eps;
      const minus = F();
      point[i][j] = v;
      numeric[j] = (plus - minus) / (2 * eps);
      const absErr = Math.abs(analytic[j] - numeric[j]);
      const ratio = absErr / (atol + rtol * Math.abs(numeric[j]));
      if (!(ratio <= 1)) ok = false; // NaN fails too
      maxAbs = Math.max(maxAbs, absErr);
      maxRel = Math.max(maxRel, absErr / Math.max(Math.abs(numeric[j]), atol));
      if (worst === null || !(ratio <= worst.ratio)) {
        worst = { input: i, index: j, analytic: analytic[j], numeric: numeric[j], absErr, ratio };
      }
    }
    return { checked: true, shape: x.shape, ok, maxAbs, maxRel, analytic, numeric };
  });
  const allOk = perInput.every((r) => r.ok);
  const w = worst as GradcheckWorst | null;
  const summary =
    w === null
      ? 'gradcheck: no elements to check'
      : `gradcheck (${dtype}): ${allOk ? 'ok' : 'FAILED'}; worst: input ${w.input} ${shapeStr(inputs[w.input].shape)} at flat ` +
        `index ${w.index}: analytic ${w.analytic}, numeric ${w.numeric} (|diff| ${w.absErr.toExponential(3)}, ` +
        `${w.ratio.toFixed(3)}× the allowed ${atol} + ${rtol}·|numeric|)`;
  return { ok: allOk, perInput, worst: w, summary };
}
