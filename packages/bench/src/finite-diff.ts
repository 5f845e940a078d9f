import type { Activation, ActivationName, DType, FloatArray } from '@tapegrad/autograd/kernels';
import { activationByName, addRow, crossEntropyIndices, matmul, Random } from '@tapegrad/autograd/kernels';
import type { Batch } from './datasets/dataset.ts';
import type { FlatParams, Matrix } from './engine.ts';
import { batchX } from './engine.ts';

// A third opinion that shares no backward code with either engine: float64 central differences of the loss,
//   ∂loss/∂θ ≈ (loss(θ + h) − loss(θ − h)) / 2h,
// on a seeded sample of parameters, with a forward pass of its own (float64 kernels, nothing from either engine).
//
// ReLU and leaky ReLU have a kink at z = 0, where the derivative jumps. When θ ± h moves a unit's z^l across 0,
// the difference quotient mixes two slopes and means nothing; such a sample is reported as 'kink' (with the
// number of units that switched side), not failed. The forward also counts units sitting within `nearKink` of 0.

/** Parameters per layer, float64. */
interface Net {
  readonly sizes: readonly number[];
  readonly act: readonly Activation[];
  readonly W: Float64Array[];
  readonly b: Float64Array[];
}

export interface FdOptions {
  /** Parameters sampled (all of them when the network has fewer). Default 24. */
  readonly samples?: number;
  readonly seed?: number;
  /** Step h. Default 1e-5: truncation error h²/6·|f'''| and rounding ε·|loss|/h are both near 1e-11. */
  readonly h?: number;
  /** Units with |z| below this are counted as sitting at a kink. Default 1e-6. */
  readonly nearKink?: number;
  /** Relative and absolute error allowed against the difference quotient (see DEFAULT_FD_TOLERANCE). */
  readonly rtol?: number;
  readonly atol?: number;
  /** The dtype the engines rounded x to (the quotient uses the same values). Default 'float64'. */
  readonly inputDtype?: DType;
}

export type FdStatus = 'pass' | 'fail' | 'kink';

export interface FdSample {
  /** The chapter's layer l and parameter: W^l[i, j] or b^l[j]. */
  readonly layer: number;
  readonly param: 'W' | 'b';
  readonly at: readonly number[];
  /** The central difference (float64). */
  readonly fd: number;
  /** Each engine's analytic gradient at the same parameter. */
  readonly engines: readonly { readonly name: string; readonly grad: number; readonly rel: number; readonly status: FdStatus }[];
  /** ReLU units that changed side between θ + h and θ − h (0: no kink crossed). */
  readonly kinkUnits: number;
}

export interface FdReport {
  readonly pass: boolean;
  readonly checked: number;
  /** Samples skipped because θ ± h crossed a ReLU kink. */
  readonly kinks: number;
  readonly failed: number;
  /** Largest relative error among the samples that were not kinks, over all engines. */
  readonly maxRel: number;
  /** Units of the ReLU family with |z| < nearKink in the unperturbed forward. */
  readonly nearKinkUnits: number;
  readonly rows: number;
  readonly h: number;
  readonly rtol: number;
  readonly atol: number;
  readonly samples: readonly FdSample[];
}

const RELU_FAMILY = new Set<ActivationName>(['relu', 'leakyRelu']);

/** Activations a^0 … a^n (a^n = logits z^n; the loss takes them) and the sign masks of ReLU-family z^l. */
function forwardFrom(net: Net, start: number, aStart: Float64Array, N: number, keep: Float64Array[] | null, masks: Uint8Array[]): Float64Array {
  let a = aStart;
  const n = net.sizes.length - 1;
  for (let l = start; l <= n; l++) {
    const out = net.sizes[l];
    const z = new Float64Array(N * out);
    matmul(a, net.W[l - 1], z, N, net.sizes[l - 1], out);
    addRow(z, net.b[l - 1], z, N, out);
    if (l === n) return z;
    const act = net.act[l - 1];
    if (RELU_FAMILY.has(act.name)) {
      const m = new Uint8Array(z.length);
      for (let i = 0; i < z.length; i++) m[i] = z[i] > 0 ? 1 : 0;
      masks[l] = m;
    }
    a = act.f(z, new Float64Array(z.length)) as Float64Array;
    if (keep !== null) keep[l] = a;
  }
  return a;
}

function switched(a: Uint8Array[], b: Uint8Array[], from: number): number {
  let count = 0;
  for (let l = from; l < a.length; l++) {
    if (a[l] === undefined) continue;
    for (let i = 0; i < a[l].length; i++) if (a[l][i] !== b[l][i]) count++;
  }
  return count;
}

/** The parameters to check: every one for a small network, else a seeded sample spread over the layers. */
function sampleParams(sizes: readonly number[], samples: number, seed: number): { layer: number; param: 'W' | 'b'; index: number }[] {
  const n = sizes.length - 1;
  const all: { layer: number; param: 'W' | 'b'; index: number }[] = [];
  let total = 0;
  for (let l = 1; l <= n; l++) total += sizes[l - 1] * sizes[l] + sizes[l];
  if (total <= samples) {
    for (let l = 1; l <= n; l++) {
      for (let i = 0; i < sizes[l - 1] * sizes[l]; i++) all.push({ layer: l, param: 'W', index: i });
      for (let j = 0; j < sizes[l]; j++) all.push({ layer: l, param: 'b', index: j });
    }
    return all;
  }
  const rng = new Random(seed);
  const perLayer = Math.max(2, Math.floor(samples / n));
  for (let l = 1; l <= n; l++) {
    const nb = Math.max(1, Math.floor(perLayer / 4));
    for (let s = 0; s < perLayer - nb; s++) all.push({ layer: l, param: 'W', index: rng.int(sizes[l - 1] * sizes[l]) });
    for (let s = 0; s < nb; s++) all.push({ layer: l, param: 'b', index: rng.int(sizes[l]) });
  }
  return all;
}

export interface FdEngineGrads {
  readonly name: string;
  readonly dW: readonly Matrix[];
  readonly db: readonly Matrix[];
}

/**
 * Checks each engine's ∂loss/∂W and ∂loss/∂b (computed on `batch` at `params`) against float64 central
 * differences on a sample of parameters. `rtol` should follow the engines' dtype (see DEFAULT_FD_TOLERANCE).
 */
export function finiteDifferences(
  spec: { sizes: readonly number[]; activations: readonly ActivationName[] },
  params: FlatParams,
  batch: Batch,
  grads: readonly FdEngineGrads[],
  options: FdOptions = {},
): FdReport {
  const { samples = 24, seed = 0, h = 1e-5, nearKink = 1e-6, rtol = DEFAULT_FD_TOLERANCE.float64.rtol, atol = DEFAULT_FD_TOLERANCE.float64.atol } = options;
  const { sizes } = spec;
  const net: Net = {
    sizes,
    act: spec.activations.map((a) => activationByName(a)),
    W: params.W.map((m) => Float64Array.from(m.data)),
    b: params.b.map((m) => Float64Array.from(m.data)),
  };
  const N = batch.N;
  // the engines saw x rounded to their dtype: so does the quotient
  const keep: Float64Array[] = [Float64Array.from(batchX(batch, options.inputDtype ?? 'float64'))];
  const baseMasks: Uint8Array[] = [];
  // the unperturbed forward, keeping a^l so that a perturbation of layer l restarts from a^{l−1}
  forwardFrom(net, 1, keep[0], N, keep, baseMasks);
  let nearKinkUnits = 0;
  for (let l = 1; l < sizes.length - 1; l++) {
    if (!RELU_FAMILY.has(net.act[l - 1].name)) continue;
    const out = sizes[l];
    const z = new Float64Array(N * out);
    matmul(keep[l - 1], net.W[l - 1], z, N, sizes[l - 1], out);
    addRow(z, net.b[l - 1], z, N, out);
    for (let i = 0; i < z.length; i++) if (Math.abs(z[i]) < nearKink) nearKinkUnits++;
  }
  const k = sizes[sizes.length - 1];
  const lossAt = (layer: number, masks: Uint8Array[]) => crossEntropyIndices(forwardFrom(net, layer, keep[layer - 1], N, null, masks), batch.labels, N, k);

  const out: FdSample[] = [];
  for (const p of sampleParams(sizes, samples, seed)) {
    const buf: FloatArray = p.param === 'W' ? net.W[p.layer - 1] : net.b[p.layer - 1];
    const theta = buf[p.index];
    const plusMasks: Uint8Array[] = [];
    const minusMasks: Uint8Array[] = [];
    buf[p.index] = theta + h;
    const lp = lossAt(p.layer, plusMasks);
    buf[p.index] = theta - h;
    const lm = lossAt(p.layer, minusMasks);
    buf[p.index] = theta;
    const fd = (lp - lm) / (2 * h);
    const kinkUnits = switched(plusMasks, minusMasks, p.layer);
    const engines = grads.map((g) => {
      const m = p.param === 'W' ? g.dW[p.layer - 1] : g.db[p.layer - 1];
      const grad = m.data[p.index];
      let scale = 0;
      for (let i = 0; i < m.data.length; i++) scale = Math.max(scale, Math.abs(m.data[i]));
      // relative error against max(|fd|, |grad|, 1% of the layer's largest gradient, atol/rtol): the floors keep
      // an entry that is nearly 0 from failing on the difference quotient's own absolute error
      const rel = Math.abs(fd - grad) / Math.max(Math.abs(fd), Math.abs(grad), 0.01 * scale, atol / rtol);
      const status: FdStatus = kinkUnits > 0 ? 'kink' : rel <= rtol ? 'pass' : 'fail';
      return { name: g.name, grad, rel, status };
    });
    const cols = sizes[p.layer];
    const at = p.param === 'W' ? [Math.floor(p.index / cols), p.index % cols] : [p.index];
    out.push({ layer: p.layer, param: p.param, at, fd, engines, kinkUnits });
  }
  const kinks = out.filter((s) => s.kinkUnits > 0).length;
  const failed = out.filter((s) => s.engines.some((e) => e.status === 'fail')).length;
  const rels = out.filter((s) => s.kinkUnits === 0).flatMap((s) => s.engines.map((e) => e.rel));
  return {
    pass: failed === 0,
    checked: out.length,
    kinks,
    failed,
    maxRel: rels.length === 0 ? 0 : Math.max(...rels),
    nearKinkUnits,
    rows: N,
    h,
    rtol,
    atol,
    samples: out,
  };
}

/**
 * Error allowed between an engine's gradient and the float64 difference quotient: |fd − g| ≲ atol + rtol·|g|.
 * The quotient's own error is truncation h²/6·|f'''| ≈ 1e-11 plus rounding ε·|loss|/h ≈ 2e-11 (more with the
 * rounding of a batch's sum): about 1e-10 absolute, whatever the size of the gradient; the absolute part covers it
 * 100 times (deep sigmoid networks have gradients of 1e-7, known only to 1e-4 relative this way). A float64 engine
 * should then match to rtol 1e-6; a float32 engine carries its own rounding, a few ulps of 1.2e-7 per layer
 * amplified by the chain: rtol 1e-3, atol 1e-6. Real mistakes are off by 1e-2 or more.
 */
export const DEFAULT_FD_TOLERANCE = Object.freeze({
  float64: Object.freeze({ rtol: 1e-6, atol: 1e-8 }),
  float32: Object.freeze({ rtol: 1e-3, atol: 1e-6 }),
});
