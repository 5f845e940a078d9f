import type { DType } from '@tapegrad/autograd/kernels';
import type { Divergence, EqualityReport, SymbolName, Tolerance } from '../compare.ts';
import { compareSymbols, TOLERANCES } from '../compare.ts';
import type { EngineFactory } from '../engine.ts';
import { autogradEngine, manualEngine } from '../engines/index.ts';
import type { FdEngineGrads, FdReport } from '../finite-diff.ts';
import { DEFAULT_FD_TOLERANCE, finiteDifferences } from '../finite-diff.ts';
import type { GradientProblem } from './problem.ts';
import { problemBatch, problemSpec } from './problem.ts';
import type { UserGradients } from './user-gradients.ts';
import { userSymbols } from './user-gradients.ts';

// A user's gradients against a trusted engine's on the same network, parameters and batch: the bench's equality
// report (bit-exact, max abs, max rel, ulps, the first divergence by layer and symbol, walking the backward pass
// from the output layer down), and float64 central differences as a third opinion that shares no code with
// either side.

export type ReferenceName = 'autograd' | 'manual';

const REFERENCES: Readonly<Record<ReferenceName, EngineFactory>> = { autograd: autogradEngine, manual: manualEngine };

export interface CheckOptions {
  /** The trusted engine: 'manual' (the chapter's hand-derived backprop, default) or 'autograd' (the tape). */
  readonly reference?: ReferenceName;
  /** Overrides of the dtype's tolerance (see TOLERANCES): rtol and floor. */
  readonly tolerance?: Partial<Tolerance>;
  /** Parameters the finite differences sample (default 24; every one for a small network); 0 turns them off. */
  readonly fdSamples?: number;
  /** A name for your side in the report (default 'yours'). */
  readonly name?: string;
}

export interface GradientReport {
  /** Equality passed, and no finite-difference sample failed for your gradients. */
  readonly pass: boolean;
  readonly name: string;
  readonly reference: ReferenceName;
  readonly dtype: DType;
  readonly sizes: readonly number[];
  readonly activations: readonly string[];
  readonly N: number;
  /** The symbols compared: dW and db, and delta and loss when you gave them. */
  readonly compared: readonly SymbolName[];
  readonly exact: boolean;
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly maxUlps: number;
  readonly firstDivergence: Divergence | null;
  /** Every compared array, in walk order: loss, then δ^n, ∂W^n, ∂b^n … δ^1, ∂W^1, ∂b^1. */
  readonly equality: EqualityReport;
  /** Your ∂loss/∂W, ∂loss/∂b and the reference's against float64 central differences (null when turned off). */
  readonly finiteDifferences: FdReport | null;
  /** Finite-difference samples where your gradient failed (the reference's own are in the FdReport). */
  readonly fdFailed: number;
}

/** Compares `gradients` (computed by you on `problem`) with the reference engine's on the same problem. */
export function checkGradients(gradients: UserGradients, problem: GradientProblem, options: CheckOptions = {}): GradientReport {
  const { reference = 'manual', name = 'yours' } = options;
  const make = REFERENCES[reference];
  if (make === undefined) throw new Error(`checkGradients: unknown reference ${JSON.stringify(reference)}; expected autograd or manual`);
  const { dtype, sizes } = problem;
  const tol: Tolerance = { ...TOLERANCES[dtype], ...options.tolerance };
  const batch = problemBatch(problem);
  const { symbols, given } = userSymbols(gradients, sizes, batch.N, dtype);
  const engine = make(problemSpec(problem), dtype);
  engine.setParams(problem.params);
  const ref = engine.symbols(batch);
  const equality = compareSymbols({ name, symbols }, { name: reference, symbols: ref, params: engine.getParams() }, dtype, tol, given);

  let fd: FdReport | null = null;
  let fdFailed = 0;
  const samples = options.fdSamples ?? 24;
  if (samples > 0) {
    // only gradients of the right shapes can be read element by element; a wrong shape has failed already
    const same = (shape: readonly number[], want: readonly number[]) => shape.length === want.length && shape.every((d, i) => d === want[i]);
    const shapesRight = symbols.layers.every((L, i) => same(L.dW.shape, [sizes[i], sizes[i + 1]]) && same(L.db.shape, [sizes[i + 1]]));
    const grads: FdEngineGrads[] = [{ name: reference, dW: ref.layers.map((L) => L.dW), db: ref.layers.map((L) => L.db) }];
    if (shapesRight) grads.unshift({ name, dW: symbols.layers.map((L) => L.dW), db: symbols.layers.map((L) => L.db) });
    fd = finiteDifferences({ sizes, activations: problem.activations }, engine.getParams(), batch, grads, {
      samples,
      seed: 0,
      ...DEFAULT_FD_TOLERANCE[dtype],
      inputDtype: dtype,
    });
    fdFailed = shapesRight ? fd.samples.filter((s) => s.engines[0].status === 'fail').length : 0;
  }
  return {
    pass: equality.pass && fdFailed === 0,
    name,
    reference,
    dtype,
    sizes,
    activations: problem.activations,
    N: batch.N,
    compared: given,
    exact: equality.exact,
    maxAbs: equality.maxAbs,
    maxRel: equality.maxRel,
    maxUlps: equality.maxUlps,
    firstDivergence: equality.firstDivergence,
    equality,
    finiteDifferences: fd,
    fdFailed,
  };
}
