import type { ActivationName, DType, KernelBackend } from '@tapegrad/autograd/kernels';
import { ACTIVATION_NAMES, getBackend, Random, setBackend } from '@tapegrad/autograd/kernels';
import { makeBatches } from './datasets/dataset.ts';
import { normalDataset } from './datasets/normal.ts';
import type { FlatParams, NetworkSpec, Symbols } from './engine.ts';
import { autogradEngine, manualEngine } from './engines/index.ts';
import { initParams } from './init.ts';

// Random networks, both engines against each other, bit for bit: the evidence behind "the engines agree" kept as
// a test (test/fuzz.test.ts, a few hundred per run) and a script (scripts/fuzz-soak.ts, as many as time allows).
// A case is drawn from its seed alone, so a failure is reproduced from the seed it prints.

export interface FuzzCase {
  readonly seed: number;
  readonly spec: NetworkSpec;
  /** Batch size N. */
  readonly batch: number;
  readonly dtype: DType;
  /** Scale of the inputs (standard normal features times this): 1, or 10 to 1e30 to reach large and non-finite values. */
  readonly inputScale: number;
}

export interface FuzzLimits {
  /** Hidden layers, 0 … maxHidden (default 5). */
  readonly maxHidden?: number;
  /** Every width (inputs, hidden layers), 1 … maxWidth (default 64). */
  readonly maxWidth?: number;
  /** Classes, 1 … maxClasses (default 16). */
  readonly maxClasses?: number;
  /** Batch size, 1 … maxBatch (default 70). */
  readonly maxBatch?: number;
}

/** The case of `seed`: 0–5 hidden layers of width 1–64, one activation for all or one each, batch 1–70, a dtype, a scale. */
export function fuzzCase(seed: number, limits: FuzzLimits = {}): FuzzCase {
  const { maxHidden = 5, maxWidth = 64, maxClasses = 16, maxBatch = 70 } = limits;
  const rng = new Random(seed);
  const hidden = rng.int(maxHidden + 1);
  const sizes = [1 + rng.int(maxWidth), ...Array.from({ length: hidden }, () => 1 + rng.int(maxWidth)), 1 + rng.int(maxClasses)];
  const pick = (): ActivationName => ACTIVATION_NAMES[rng.int(ACTIVATION_NAMES.length)];
  const activation = rng.uniform() < 0.5 ? pick() : Array.from({ length: hidden }, pick);
  const batch = 1 + rng.int(maxBatch);
  const dtype: DType = rng.uniform() < 0.5 ? 'float32' : 'float64';
  // mostly inputs of order 1; one case in five scaled by 10 to 1e30 (x itself stays a float32), far enough for
  // float32 products and steps to overflow, so that non-finite values are compared too
  const inputScale = rng.uniform() < 0.8 ? 1 : 10 ** (1 + 29 * rng.uniform());
  return { seed, spec: { sizes, activation }, batch, dtype, inputScale };
}

/** One line naming a case: its seed, network, batch and dtype. */
export function describeCase(c: FuzzCase): string {
  const act = typeof c.spec.activation === 'string' ? c.spec.activation : `[${c.spec.activation.join(', ')}]`;
  const scale = c.inputScale === 1 ? '' : `, inputs ×${c.inputScale.toPrecision(3)}`;
  return `seed ${c.seed}: ${c.spec.sizes.join('-')} ${act}, batch ${c.batch}, ${c.dtype}${scale}`;
}

export interface FuzzOutcome {
  readonly case: FuzzCase;
  readonly backend: KernelBackend;
  /** Every symbol of every step and the parameters after each step equal bit for bit (Object.is: NaN = NaN, 0 ≠ −0). */
  readonly exact: boolean;
  /** Where they first differ ('' when exact). */
  readonly where: string;
  /** A loss was not finite, or the manual engine refused a step that would write NaN or ±Infinity. */
  readonly nonFinite: boolean;
}

/** The first element where two buffers differ in any bit (Object.is), as "[i]: a vs b", or null. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `[${i}]: ${a[i]} vs ${b[i]}`;
  return null;
}

/** Where two engines' symbols first differ; the losses compared in the dtype (autograd keeps its loss in a tensor). */
function symbolsDifference(a: Symbols, b: Symbols, dtype: DType): string | null {
  const loss = (v: number) => (dtype === 'float32' ? Math.fround(v) : v);
  if (!Object.is(loss(a.loss), loss(b.loss))) return `loss: ${a.loss} vs ${b.loss}`;
  for (let l = a.layers.length; l >= 1; l--) {
    const [x, y] = [a.layers[l - 1], b.layers[l - 1]];
    for (const key of ['input', 'delta', 'dW', 'db'] as const) {
      const d = firstDifference(x[key].data, y[key].data);
      if (d !== null) return `layer ${l}, ${key === 'input' ? `a^${l - 1}` : key}${d}`;
    }
  }
  return null;
}

function paramsDifference(a: FlatParams, b: FlatParams): string | null {
  for (let l = a.W.length; l >= 1; l--) {
    const d = firstDifference(a.W[l - 1].data, b.W[l - 1].data) ?? firstDifference(a.b[l - 1].data, b.b[l - 1].data);
    if (d !== null) return `layer ${l}, W^${l} or b^${l}${d}`;
  }
  return null;
}

/**
 * Both engines from the same parameters on the same batches for `steps` SGD steps on `backend`: at every step their
 * loss and symbols (a^{l−1}, δ^l, ∂loss/∂W^l, ∂loss/∂b^l) at the same parameters, then the parameters each step
 * leaves, compared bit for bit. Where the manual engine refuses a non-finite update, the autograd engine's update
 * must not be finite either. Restores the backend.
 */
export function runFuzzCase(c: FuzzCase, backend: KernelBackend, steps = 2): FuzzOutcome {
  const previous = getBackend();
  setBackend(backend);
  try {
    const { sizes } = c.spec;
    const ds = normalDataset({ count: 2 * c.batch, features: sizes[0], classes: sizes[sizes.length - 1], seed: c.seed });
    if (c.inputScale !== 1) for (let i = 0; i < ds.x.length; i++) ds.x[i] *= c.inputScale;
    const batches = makeBatches(ds, c.batch, steps, c.seed);
    const init = typeof c.spec.activation === 'string' ? c.spec.activation : (c.spec.activation[0] ?? 'relu');
    const params = initParams(sizes, init, c.seed);
    const a = autogradEngine(c.spec, c.dtype);
    const b = manualEngine(c.spec, c.dtype);
    a.setParams(params);
    b.setParams(params);
    const outcome = (where: string, nonFinite: boolean): FuzzOutcome => ({ case: c, backend, exact: where === '', where, nonFinite });
    let nonFinite = false;
    for (let t = 0; t < steps; t++) {
      const batch = batches[t];
      const sa = a.symbols(batch);
      const sb = b.symbols(batch);
      const diff = symbolsDifference(sa, sb, c.dtype);
      if (diff !== null) return outcome(`step ${t}, ${diff}`, !Number.isFinite(sa.loss));
      nonFinite ||= !Number.isFinite(sb.loss);
      a.step(batch, 0.1);
      try {
        b.step(batch, 0.1);
      } catch (e) {
        if (!(e as Error).message.includes('so the parameters are left as they were')) throw e;
        const updated = a.getParams();
        const finite = [...updated.W, ...updated.b].every((m) => Array.from(m.data).every(Number.isFinite));
        return outcome(finite ? `step ${t}: the manual engine refused an update that autograd made finite: ${(e as Error).message}` : '', true);
      }
      const dp = paramsDifference(a.getParams(), b.getParams());
      if (dp !== null) return outcome(`after step ${t}, ${dp}`, nonFinite);
    }
    return outcome('', nonFinite);
  } finally {
    setBackend(previous);
  }
}
