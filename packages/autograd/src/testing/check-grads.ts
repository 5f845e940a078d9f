// The one helper every op test goes through: random inputs of given shapes, then
//   1. forward: float32 output ≈ float64 output at the same (float32-rounded) point, same shape, dtype kept;
//   2. gradients: for each dtype, the analytic gradient of Σ out ⊙ u against float64 central differences
//      (gradcheck), so a float32 op is held to exact-ish derivatives with a float32 tolerance.
// It throws an Error with gradcheck's summary on failure, so it works under any test runner.

import type { DType, Shape } from '../kernels/index.ts';
import { Random, shapeStr } from '../kernels/index.ts';
import { noGrad } from '../grad-mode.ts';
import type { GradcheckResult } from '../gradcheck.ts';
import { gradcheck } from '../gradcheck.ts';
import { Tensor } from '../tensor.ts';

type Range = readonly [number, number];

export interface CheckGradsOptions {
  /** Range of the random inputs: one [low, high) for all, or one per input (default [−2, 2)). */
  domain?: Range | readonly Range[];
  /** Positions of inputs that are constants: not differentiated (they still take part in the forward). */
  constants?: readonly number[];
  /** Exact input values (flat, row-major) instead of random draws, per input; `undefined` keeps the draw. */
  values?: readonly (ArrayLike<number> | undefined)[];
  /** Seed of the input draws (default 7). */
  seed?: number;
  /** dtypes in which the analytic gradient is checked (default both). */
  dtypes?: readonly DType[];
  /** Tolerances passed to gradcheck (per dtype defaults when omitted). */
  atol?: number;
  rtol?: number;
}

function rangeOf(domain: CheckGradsOptions['domain'], i: number): Range {
  if (domain === undefined) return [-2, 2];
  return typeof domain[0] === 'number' ? (domain as Range) : (domain as readonly Range[])[i];
}

/** float64 tensors of `shapes` with uniform draws (see CheckGradsOptions), requiring grad unless constant. */
export function randomInputs(shapes: readonly Shape[], options: CheckGradsOptions = {}): Tensor[] {
  const rng = new Random(options.seed ?? 7);
  return shapes.map((shape, i) => {
    const [low, high] = rangeOf(options.domain, i);
    const t = new Tensor(rng.uniformArray('float64', shape.reduce((n, d) => n * d, 1), low, high), shape);
    const given = options.values?.[i];
    if (given !== undefined) t.data.set(given);
    t.requiresGrad = !(options.constants ?? []).includes(i);
    return t;
  });
}

/** Copies of `inputs` in `dtype` (values rounded through float32 either way, so both dtypes share one point). */
function inDtype(inputs: readonly Tensor[], dtype: DType): Tensor[] {
  return inputs.map((x) => {
    const t = Tensor.full(x.shape, 0, dtype);
    t.data.set(Float32Array.from(x.data));
    return t;
  });
}

/** Throws unless fn's forward agrees across dtypes and its gradients pass gradcheck in every dtype. */
export function checkGrads(
  fn: (...inputs: Tensor[]) => Tensor,
  shapes: readonly Shape[],
  options: CheckGradsOptions = {},
): GradcheckResult[] {
  const inputs = randomInputs(shapes, options);
  const [o64, o32] = noGrad(() => [fn(...inDtype(inputs, 'float64')), fn(...inDtype(inputs, 'float32'))]);
  if (o64.dtype !== 'float64' || o32.dtype !== 'float32') {
    throw new Error(`checkGrads: the output dtype is not the inputs' dtype (${o64.dtype} from float64, ${o32.dtype} from float32)`);
  }
  if (shapeStr(o64.shape) !== shapeStr(o32.shape)) {
    throw new Error(`checkGrads: output shapes differ between dtypes: ${shapeStr(o64.shape)} vs ${shapeStr(o32.shape)}`);
  }
  let scale = 1;
  for (const v of o64.data) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < o64.size; i++) {
    const diff = Math.abs(o64.data[i] - o32.data[i]);
    if (!(diff <= 1e-5 * scale) && !(Number.isNaN(o64.data[i]) && Number.isNaN(o32.data[i]))) {
      throw new Error(`checkGrads: float32 forward differs at flat index ${i}: ${o32.data[i]} vs float64 ${o64.data[i]}`);
    }
  }
  return (options.dtypes ?? (['float64', 'float32'] as const)).map((dtype) => {
    const result = gradcheck(fn, inputs, { dtype, atol: options.atol, rtol: options.rtol });
    if (!result.ok) throw new Error(`checkGrads: shapes ${shapes.map(shapeStr).join(', ')}: ${result.summary}`);
    return result;
  });
}
