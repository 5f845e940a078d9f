import type { DType } from '@tapegrad/autograd/kernels';
import { shapeStr } from '@tapegrad/autograd/kernels';
import type { FlatParams, Matrix, Symbols } from './engine.ts';
import { ulpDistance } from './ulps.ts';

// The equality report: two engines' parameters, loss and chapter symbols (δ^l, ∂loss/∂W^l, ∂loss/∂b^l) compared
// element by element, and, when they disagree, the first place where they do, walking the backward pass in its
// own order: from the output layer n down to layer 1, and within a layer δ^l before the ∂loss/∂W^l and ∂loss/∂b^l
// computed from it. A mistake shows up first where it is made: everything after it inherits it.

export type SymbolName = 'W' | 'b' | 'a' | 'loss' | 'delta' | 'dW' | 'db';

/**
 * When two arrays count as equal: every element within `rtol` relative error, where the error of an element is
 * measured against max(|a|, |b|, floor · scale), and scale is the size of the terms the element was computed from.
 *
 * Why not exact: tapegrad's two engines call the same kernels in the same order and agree bit for bit (the
 * equality matrix asserts it), but other engines (PyTorch, the peers, a user's engine) compute the same maths in
 * another order: a different summation order or a fused multiply-add moves a result by about one unit roundoff u
 * (float64 1.1e-16, float32 6.0e-8) of the terms involved, and a sum of K terms accumulates at most K·u of their
 * magnitude (about √K·u in practice).
 *
 * Why the floor, and why the scale of the terms: an element that is small because its terms cancel carries the
 * absolute rounding error of those terms, not of itself. Late in training ∂loss/∂b^n = Σ_rows δ^n is a sum of
 * rows of size 0.1 that nearly cancel: an ulp of 0.1 is then 1e-4 of the result without anything being wrong.
 * So elements are judged against floor · scale at least, where scale is the larger of the array's own largest
 * magnitude and a bound on its terms (see termScales): |a^{l−1}|·|δ^l| for ∂loss/∂W^l, |δ^l| for ∂loss/∂b^l,
 * |δ^{l+1}|·|W^{l+1}| for δ^l. The effective absolute tolerance is rtol · floor · scale.
 *
 * - float64: rtol 1e-10, floor 0.1: absolute 1e-11 · scale. The worst-case bound K·u at K = 1024 (the widest sum
 *   here) is 1.1e-13, 100 times below; a real mistake (a missing 1/N, a wrong derivative) is off by 1e-2 or more.
 * - float32: rtol 1e-4, floor 0.1: absolute 1e-5 · scale, 10 times the typical √K·u = 2e-6 at K = 1024, still
 *   100 times below a real mistake.
 */
export interface Tolerance {
  readonly rtol: number;
  readonly floor: number;
}

export const TOLERANCES: Readonly<Record<DType, Tolerance>> = Object.freeze({
  float64: { rtol: 1e-10, floor: 0.1 },
  float32: { rtol: 1e-4, floor: 0.1 },
});

/** How two arrays differ. */
export interface ArrayDiff {
  readonly count: number;
  /** Every element equal (±0 count as equal). */
  readonly exact: boolean;
  readonly maxAbs: number;
  /** Largest relative error, with the floor described at `Tolerance`. */
  readonly maxRel: number;
  /** Largest ulp distance among the elements at least floor · scale in size (see Tolerance). */
  readonly maxUlps: number;
  /** The scale the floor is taken from: the reference's largest magnitude, or the bound on its terms if larger. */
  readonly scale: number;
  /** Elements over the tolerance. */
  readonly mismatches: number;
  /** The element with the largest relative error: flat index and both values. */
  readonly worst: { readonly index: number; readonly a: number; readonly b: number } | null;
  /** The first element (in flat order) over the tolerance, with its relative error; null when none is. */
  readonly first: { readonly index: number; readonly a: number; readonly b: number; readonly rel: number } | null;
  readonly pass: boolean;
  /** Why the arrays could not be compared element by element (a shape mismatch), or a non-finite value. */
  readonly problem?: string;
}


/** The largest magnitude in a buffer. */
export function maxAbsOf(m: Matrix | undefined): number {
  let s = 0;
  if (m === undefined) return s;
  for (let i = 0; i < m.data.length; i++) s = Math.max(s, Math.abs(m.data[i]));
  return s;
}

/** Compares `a` against the reference `b` in `dtype`; `termScale` bounds the terms b was computed from. */
export function diffArrays(a: Matrix, b: Matrix, dtype: DType, tol: Tolerance = TOLERANCES[dtype], termScale = 0): ArrayDiff {
  const count = b.data.length;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]) || a.data.length !== b.data.length) {
    return {
      count,
      exact: false,
      maxAbs: Infinity,
      maxRel: Infinity,
      maxUlps: Infinity,
      scale: NaN,
      mismatches: count,
      worst: null,
      first: null,
      pass: false,
      problem: `shape ${shapeStr(a.shape)} vs ${shapeStr(b.shape)}`,
    };
  }
  const scale = Math.max(maxAbsOf(b), termScale);
  const floor = tol.floor * scale;
  let exact = true;
  let maxAbs = 0;
  let maxRel = 0;
  let maxUlps = 0;
  let mismatches = 0;
  let worst: ArrayDiff['worst'] = null;
  let first: ArrayDiff['first'] = null;
  let problem: string | undefined;
  for (let i = 0; i < count; i++) {
    const x = a.data[i];
    const y = b.data[i];
    if (x === y) continue;
    exact = false;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      problem ??= `non-finite value at flat index ${i}: ${x} vs ${y}`;
      mismatches++;
      maxAbs = maxRel = maxUlps = Infinity;
      worst ??= { index: i, a: x, b: y };
      first ??= { index: i, a: x, b: y, rel: Infinity };
      continue;
    }
    const abs = Math.abs(x - y);
    const size = Math.max(Math.abs(x), Math.abs(y));
    const rel = abs / Math.max(size, floor);
    maxAbs = Math.max(maxAbs, abs);
    // ulps only where the element is judged on its own size: near 0 the ulp is tiny and the count says nothing
    if (size >= floor) maxUlps = Math.max(maxUlps, ulpDistance(x, y, dtype));
    if (rel > tol.rtol) {
      mismatches++;
      first ??= { index: i, a: x, b: y, rel };
    }
    if (rel > maxRel) {
      maxRel = rel;
      worst = { index: i, a: x, b: y };
    }
  }
  const diff = { count, exact, maxAbs, maxRel, maxUlps, scale, mismatches, worst, first, pass: mismatches === 0 };
  return problem === undefined ? diff : { ...diff, problem };
}

/** One compared array of the walk: which layer (1-based, the chapter's l) and which symbol. */
export interface SymbolDiff extends ArrayDiff {
  readonly layer: number;
  readonly symbol: SymbolName;
  readonly shape: readonly number[];
}

/** Where the engines first disagree. */
export interface Divergence {
  /** The chapter's layer number l (1 … n). */
  readonly layer: number;
  readonly symbol: SymbolName;
  /** Lockstep step (0 = before any update) when the report comes from a lockstep run. */
  readonly step?: number;
  /** Row and column of the worst element (one index for a bias row or the loss). */
  readonly at: readonly number[];
  readonly a: number;
  readonly b: number;
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly mismatches: number;
  readonly count: number;
  readonly problem?: string;
}

export interface EqualityReport {
  /** The compared engines: [candidate, reference]. */
  readonly engines: readonly [string, string];
  readonly dtype: DType;
  readonly tolerance: Tolerance;
  readonly pass: boolean;
  readonly exact: boolean;
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly maxUlps: number;
  readonly firstDivergence: Divergence | null;
  /**
   * Every compared array in walk order: the parameters W^n, b^n … W^1, b^1 (both engines must hold the same
   * network), the forward pass a^1 … a^{n−1} and the loss, then the backward pass δ^n, ∂W^n, ∂b^n … δ^1, ∂W^1, ∂b^1.
   */
  readonly entries: readonly SymbolDiff[];
}

/** Row and column of a flat index in a matrix of `shape` (the index itself for a vector or a scalar). */
export function position(index: number, shape: readonly number[]): number[] {
  if (shape.length < 2) return [index];
  return [Math.floor(index / shape[1]), index % shape[1]];
}

function divergence(e: SymbolDiff, step?: number): Divergence {
  const w = e.worst;
  const d: Divergence = {
    layer: e.layer,
    symbol: e.symbol,
    at: w === null ? [] : position(w.index, e.shape),
    a: w?.a ?? NaN,
    b: w?.b ?? NaN,
    maxAbs: e.maxAbs,
    maxRel: e.maxRel,
    mismatches: e.mismatches,
    count: e.count,
    ...(step === undefined ? {} : { step }),
  };
  return e.problem === undefined ? d : { ...d, problem: e.problem };
}

export interface Compared {
  readonly name: string;
  readonly symbols: Symbols;
  /** The parameters the symbols were computed at (compared first: both engines must hold the same network). */
  readonly params?: FlatParams;
}

/**
 * Compares engine `a` against the reference engine `b`, array by array: parameters, then the forward pass from
 * layer 1 up, then the backward pass from layer n down, so that the first divergence is where a mistake is made.
 * `only` restricts the walk to some symbols (a peer library gives the loss and ∂loss/∂W, ∂loss/∂b, not δ).
 */
export function compareSymbols(
  a: Compared,
  b: Compared,
  dtype: DType,
  tol: Tolerance = TOLERANCES[dtype],
  only?: readonly SymbolName[],
): EqualityReport {
  const n = b.symbols.layers.length;
  const ref = b.symbols.layers;
  const entries: SymbolDiff[] = [];
  const missing: Matrix = { data: new Float64Array(0), shape: [0] };
  const add = (layer: number, symbol: SymbolName, x: Matrix | undefined, y: Matrix, termScale = 0) => {
    if (only !== undefined && !only.includes(symbol)) return;
    entries.push({ ...diffArrays(x ?? missing, y, dtype, tol, termScale), layer, symbol, shape: y.shape });
  };
  if (a.params !== undefined && b.params !== undefined) {
    for (let l = n; l >= 1; l--) {
      add(l, 'W', a.params.W[l - 1], b.params.W[l - 1]);
      add(l, 'b', a.params.b[l - 1], b.params.b[l - 1]);
    }
  }
  for (let l = 1; l < n; l++) add(l, 'a', a.symbols.layers[l]?.input, ref[l].input); // a^l is layer l+1's input
  // the loss in the engines' dtype: a float32 engine that returns its loss as a JS number (accumulated in double)
  // is compared after the rounding that storing it in a float32 tensor would apply
  const scalar = (v: number): Matrix => ({ data: Float64Array.of(dtype === 'float32' ? Math.fround(v) : v), shape: [] });
  add(n, 'loss', scalar(a.symbols.loss), scalar(b.symbols.loss));
  for (let l = n; l >= 1; l--) {
    const x = a.symbols.layers[l - 1];
    const y = ref[l - 1];
    const deltaMax = maxAbsOf(y.delta);
    // bounds on the terms each symbol sums (see Tolerance): δ^l from δ^{l+1}·W^{l+1}, ∂W^l from a^{l−1}·δ^l, ∂b^l from δ^l
    const deltaTerms = l < n ? maxAbsOf(ref[l].delta) * maxAbsOf(b.params?.W[l]) : 0;
    add(l, 'delta', x?.delta, y.delta, deltaTerms);
    add(l, 'dW', x?.dW, y.dW, maxAbsOf(y.input) * deltaMax);
    add(l, 'db', x?.db, y.db, deltaMax);
  }
  return summarize([a.name, b.name], dtype, tol, entries);
}

function summarize(engines: readonly [string, string], dtype: DType, tolerance: Tolerance, entries: SymbolDiff[], step?: number): EqualityReport {
  const first = entries.find((e) => !e.pass);
  return {
    engines,
    dtype,
    tolerance,
    pass: first === undefined,
    exact: entries.every((e) => e.exact),
    maxAbs: Math.max(0, ...entries.map((e) => e.maxAbs)),
    maxRel: Math.max(0, ...entries.map((e) => e.maxRel)),
    maxUlps: Math.max(0, ...entries.map((e) => e.maxUlps)),
    firstDivergence: first === undefined ? null : divergence(first, step),
    entries,
  };
}

/** Compares two parameter sets (after training: the drift between engines). */
export function compareParams(a: FlatParams, b: FlatParams, names: readonly [string, string], dtype: DType, tol: Tolerance = TOLERANCES[dtype]): EqualityReport {
  const entries: SymbolDiff[] = [];
  for (let l = b.W.length; l >= 1; l--) {
    entries.push({ ...diffArrays(a.W[l - 1], b.W[l - 1], dtype, tol), layer: l, symbol: 'W', shape: b.W[l - 1].shape });
    entries.push({ ...diffArrays(a.b[l - 1], b.b[l - 1], dtype, tol), layer: l, symbol: 'b', shape: b.b[l - 1].shape });
  }
  return summarize(names, dtype, tol, entries);
}

/** One report for a sequence of them (the steps of a lockstep run): worst of each figure, first divergence by step. */
export function mergeReports(reports: readonly EqualityReport[]): EqualityReport {
  if (reports.length === 0) throw new Error('mergeReports: no reports');
  const failing = reports.findIndex((r) => !r.pass);
  const firstDivergence = failing < 0 ? null : { ...reports[failing].firstDivergence!, step: reports[failing].firstDivergence!.step ?? failing };
  return {
    engines: reports[0].engines,
    dtype: reports[0].dtype,
    tolerance: reports[0].tolerance,
    pass: failing < 0,
    exact: reports.every((r) => r.exact),
    maxAbs: Math.max(...reports.map((r) => r.maxAbs)),
    maxRel: Math.max(...reports.map((r) => r.maxRel)),
    maxUlps: Math.max(...reports.map((r) => r.maxUlps)),
    firstDivergence,
    entries: failing < 0 ? reports[reports.length - 1].entries : reports[failing].entries,
  };
}

const SYMBOL_TEXT: Record<SymbolName, (l: number) => string> = {
  W: (l) => `W^${l}`,
  b: (l) => `b^${l}`,
  a: (l) => `a^${l}`,
  loss: () => 'loss',
  delta: (l) => `δ^${l}`,
  dW: (l) => `∂loss/∂W^${l}`,
  db: (l) => `∂loss/∂b^${l}`,
};

/** `δ^2`, `∂loss/∂W^3`… in the chapter's notation. */
export function symbolText(symbol: SymbolName, layer: number): string {
  return SYMBOL_TEXT[symbol](layer);
}

/** One line: where the engines diverge and by how much. */
export function describeDivergence(d: Divergence): string {
  const where = `${symbolText(d.symbol, d.layer)}${d.at.length > 0 && d.symbol !== 'loss' ? `[${d.at.join(', ')}]` : ''}`;
  const step = d.step === undefined ? '' : ` at step ${d.step}`;
  if (d.problem !== undefined && d.problem.startsWith('shape')) return `${symbolText(d.symbol, d.layer)}${step}: ${d.problem}`;
  return `${where}${step}: ${d.a} vs ${d.b} (max rel ${d.maxRel.toExponential(2)}, ${d.mismatches}/${d.count} elements over tolerance)`;
}
