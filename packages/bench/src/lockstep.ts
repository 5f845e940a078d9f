import type { DType } from '@tapegrad/autograd/kernels';
import type { EqualityReport, Tolerance } from './compare.ts';
import { compareParams, compareSymbols, mergeReports, TOLERANCES } from './compare.ts';
import type { Batch } from './datasets/dataset.ts';
import type { Engine, Symbols } from './engine.ts';
import { toParams } from './engine.ts';

// Lockstep training: both engines start from the same parameters and take the same SGD steps on the same batches,
// each with its own arithmetic, so their trajectories may drift apart by rounding (measured at the end).
//
// The gradients of every step are compared at identical parameters: a probe, a second instance of the candidate
// engine, is loaded with the reference's current parameters before each comparison. Comparing each engine at its
// own drifted parameters would mix two effects: late in training the gradients shrink while the Hessian does not,
// so a drift of 1e-7 in the parameters can show up as 1e-4 in a small gradient without any engine being wrong.

export interface LockstepOptions {
  readonly steps: number;
  readonly lr: number;
  readonly tolerance?: Tolerance;
  /** Called after each step (for progress). */
  readonly onStep?: (step: number, steps: number) => void;
}

export interface LockstepResult {
  readonly steps: number;
  readonly lr: number;
  /** Loss before each step of each engine's own trajectory: [candidate, reference]. */
  readonly losses: readonly [readonly number[], readonly number[]];
  /** One equality report per step (step 0 is the untouched initialisation), at the reference's parameters. */
  readonly reports: readonly EqualityReport[];
  /** All steps in one: worst figures, first divergence with its step. */
  readonly equality: EqualityReport;
  /** The two trajectories' parameters after the last step, compared. */
  readonly drift: EqualityReport;
  /** Mean wall-clock ms of one training step per engine (a rough figure, used to budget the benchmarks). */
  readonly stepMs: readonly [number, number];
  /** The symbols of the first step. */
  readonly first: readonly [Symbols, Symbols];
}

/**
 * Trains `a` (the candidate) and `b` (the reference) for `steps` SGD steps on `batches` (cycled), comparing their
 * gradients at every step with `probe` (a fresh instance of the candidate's engine). `a` and `b` must already hold
 * the same parameters. A failing step does not stop the run: the report says where the engines first diverged.
 */
export function lockstep(a: Engine, b: Engine, probe: Engine, batches: readonly Batch[], dtype: DType, options: LockstepOptions): LockstepResult {
  const { steps, lr, tolerance = TOLERANCES[dtype], onStep } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`lockstep: steps is ${steps}; expected a positive integer`);
  if (batches.length === 0) throw new Error('lockstep: no batches');
  const reports: EqualityReport[] = [];
  const lossA: number[] = [];
  const lossB: number[] = [];
  const ms = [0, 0];
  let first: [Symbols, Symbols] | null = null;
  for (let t = 0; t < steps; t++) {
    const batch = batches[t % batches.length];
    const reference = b.getParams();
    // at step 0 the candidate itself holds the reference's parameters: no probe needed
    const candidate = t === 0 ? a : probe;
    if (t > 0) probe.setParams(toParams(reference));
    const sa = candidate.symbols(batch);
    const sb = b.symbols(batch);
    first ??= [sa, sb];
    reports.push(
      compareSymbols(
        { name: a.name, symbols: sa, params: candidate.getParams() },
        { name: b.name, symbols: sb, params: reference },
        dtype,
        tolerance,
        candidate.provides,
      ),
    );
    let t0 = performance.now();
    lossA.push(a.step(batch, lr));
    ms[0] += performance.now() - t0;
    t0 = performance.now();
    lossB.push(b.step(batch, lr));
    ms[1] += performance.now() - t0;
    onStep?.(t + 1, steps);
  }
  const drift = compareParams(a.getParams(), b.getParams(), [a.name, b.name], dtype, tolerance);
  return {
    steps,
    lr,
    losses: [lossA, lossB],
    reports,
    equality: mergeReports(reports),
    drift,
    stepMs: [ms[0] / steps, ms[1] / steps],
    first: first!,
  };
}
