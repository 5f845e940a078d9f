import Benchmark from 'benchmark';
import type { Batch } from './datasets/dataset.ts';
import type { Engine, Params } from './engine.ts';
import { median } from './median.ts';

// Speed, measured with benchmark.js: for each engine a full training step (forward, loss, backward, SGD), and the
// forward pass (with the loss) and the backward pass on their own, the engines taking turns in ROUNDS rounds.
// Figures: ops/sec with the relative margin of error (95% confidence) and the median in ms per call, over the
// samples of all rounds.
//
// Slow calls (the `wide` workload takes seconds per step in the reference kernels) run as deferred benchmarks:
// benchmark.js pre-runs a normal benchmark's function once per sample to test it, which would double their cost.

export type Phase = 'step' | 'forward' | 'backward';
export const PHASES: readonly Phase[] = ['step', 'forward', 'backward'];

export interface SpeedFigure {
  readonly engine: string;
  readonly phase: Phase;
  readonly hz: number;
  /** Relative margin of error, in percent. */
  readonly rme: number;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly samples: number;
}

export interface SpeedPlan {
  readonly phases: readonly Phase[];
  /** benchmark.js minSamples and maxTime (seconds) of each benchmark. */
  readonly minSamples: number;
  readonly maxTime: number;
  /** Phases left out to stay within the budget, and why. */
  readonly skipped: readonly string[];
  /** Estimated seconds for the whole suite. */
  readonly estimateS: number;
}

/** What share of a training step the forward and the backward take (for budgeting only). */
const SHARE: Record<Phase, number> = { step: 1, forward: 0.35, backward: 0.65 };

/**
 * Which benchmarks fit in `budgetS` seconds, given each engine's rough ms per training step: all three phases
 * with `minSamples`, else all three with 2 samples, else the training step alone (always measured: a speed figure
 * needs it), with as many samples as fit, at least 2.
 */
export function planSpeed(stepMs: readonly number[], budgetS: number, maxTime: number, minSamples: number): SpeedPlan {
  const cost = (phases: readonly Phase[], samples: number) =>
    stepMs.reduce((s, ms) => s + phases.reduce((p, ph) => p + Math.max(maxTime, (samples * ms * SHARE[ph]) / 1000 + 0.05), 0), 0);
  for (const samples of [minSamples, 2]) {
    const est = cost(PHASES, samples);
    if (est <= budgetS) return { phases: PHASES, minSamples: samples, maxTime, skipped: [], estimateS: est };
  }
  const perSample = stepMs.reduce((s, ms) => s + ms / 1000, 0);
  const samples = Math.max(2, Math.min(minSamples, Math.floor(budgetS / Math.max(perSample, 1e-9))));
  return {
    phases: ['step'],
    minSamples: samples,
    maxTime: 0,
    skipped: ['forward', 'backward'].map((p) => `${p}: not measured, over the time budget (${budgetS} s) at ~${stepMs.map((m) => m.toFixed(0)).join('/')} ms per step`),
    estimateS: cost(['step'], samples),
  };
}

/**
 * Calls `fn` for about `seconds` (at least once) before it is timed: benchmark.js does not warm up, and the first
 * calls of a fresh function (compilation, first allocations of its buffers) would otherwise land in its samples.
 */
export function warmUp(fn: () => void, seconds: number): number {
  const until = performance.now() + seconds * 1000;
  let calls = 0;
  do {
    fn();
    calls++;
  } while (performance.now() < until);
  return calls;
}

/** Runs one benchmark.js benchmark of `fn` to completion. */
export function runBenchmark(
  name: string,
  fn: () => void,
  options: { minSamples: number; maxTime: number; slow: boolean; onCycle?: () => void },
): Promise<Benchmark> {
  return new Promise((resolve, reject) => {
    const bench = options.slow
      ? new Benchmark(name, {
          defer: true,
          fn: (deferred: { resolve(): void }) => {
            fn();
            deferred.resolve();
          },
          minSamples: options.minSamples,
          maxTime: options.maxTime,
        } as Benchmark.Options)
      : new Benchmark(name, fn, { minSamples: options.minSamples, maxTime: options.maxTime });
    // 'cycle' fires after every sample (benchmark.js forwards its clones' cycles to the benchmark)
    if (options.onCycle !== undefined) bench.on('cycle', options.onCycle);
    bench.on('complete', () => (bench.error ? reject(bench.error) : resolve(bench)));
    bench.on('error', () => reject(bench.error));
    bench.run({ async: true });
  });
}

export interface SpeedOptions {
  readonly plan: SpeedPlan;
  readonly lr: number;
  /** Each engine restarts from these parameters before its benchmarks, so both time the same training. */
  readonly params: Params;
  /** Rough ms per step of each engine (decides deferred benchmarks). */
  readonly stepMs: readonly number[];
  readonly onBenchmark?: (label: string, index: number, total: number) => void;
  /** Called after every warm-up and every benchmark.js cycle (the run samples memory there). */
  readonly onCycle?: () => void;
}

/**
 * Rounds each engine's benchmark of a phase is split into, run in turn (autograd, manual, autograd, manual, …), so
 * that a change in a shared machine's load in the middle of a measurement falls on both engines, not on one: their
 * ratio is what the bench reports. The samples of all rounds are pooled into one figure per engine and phase.
 */
export const ROUNDS = 3;

/** Benchmarks each engine on `batch` according to the plan, the engines taking turns (ROUNDS rounds each). */
export async function measureSpeed(engines: readonly Engine[], batch: Batch, options: SpeedOptions): Promise<SpeedFigure[]> {
  const { plan, lr, params } = options;
  const byPhase: SpeedFigure[][] = [];
  const total = engines.length * plan.phases.length * ROUNDS;
  const minSamples = Math.max(2, Math.ceil(plan.minSamples / ROUNDS));
  const maxTime = plan.maxTime / ROUNDS;
  let index = 0;
  for (const phase of plan.phases) {
    const samples: number[][] = engines.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let e = 0; e < engines.length; e++) {
        const engine = engines[e];
        options.onBenchmark?.(`${engine.name} ${phase}`, index++, total);
        engine.setParams(params); // every round of every engine times the same training
        const fn =
          phase === 'step' ? () => void engine.step(batch, lr) : phase === 'forward' ? () => engine.forward(batch) : () => engine.backward();
        if (phase === 'backward') engine.forward(batch);
        // the first round compiles and allocates; later ones only bring the engine's buffers back into cache
        warmUp(fn, round === 0 ? plan.maxTime / 4 : maxTime / 4);
        options.onCycle?.();
        const slow = (options.stepMs[e] ?? 0) * SHARE[phase] > 20;
        const bench = await runBenchmark(`${engine.name} ${phase}`, fn, { minSamples, maxTime, slow, onCycle: options.onCycle });
        samples[e].push(...bench.stats.sample);
      }
    }
    byPhase.push(engines.map((engine, e) => ({ engine: engine.name, phase, ...summarize(samples[e]) })));
  }
  options.onBenchmark?.('done', total, total);
  return engines.flatMap((_, e) => byPhase.map((figures) => figures[e])); // engine by engine, as reports list them
}

/**
 * T-distribution two-tailed critical values for 95% confidence by degrees of freedom, as benchmark.js computes its
 * relative margin of error (its tTable; NIST handbook 1.3.6.7.2), for figures pooled from several of its runs.
 */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** A speed figure from samples in seconds per call: benchmark.js's statistics (hz = 1/mean, rme at 95%). */
export function summarize(sample: readonly number[]): Omit<SpeedFigure, 'engine' | 'phase'> {
  const n = sample.length;
  if (n === 0) throw new Error('speed: no samples to summarize');
  const mean = sample.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? sample.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  const critical = T95[Math.max(1, n - 1) - 1] ?? 1.96;
  const rme = mean > 0 ? ((critical * Math.sqrt(variance / n)) / mean) * 100 : 0;
  return { hz: 1 / mean, rme, medianMs: median(sample) * 1000, meanMs: mean * 1000, samples: n };
}

/** The headline of a workload: each engine's median ms per training step, their ratio, and the worse margin. */
export function headline(figures: readonly SpeedFigure[], a = 'autograd', b = 'manual'): { autogradMs: number; manualMs: number; ratio: number; rme: number } {
  const fa = figures.find((f) => f.engine === a && f.phase === 'step');
  const fb = figures.find((f) => f.engine === b && f.phase === 'step');
  if (fa === undefined || fb === undefined) throw new Error(`speed: no training-step figure for ${fa === undefined ? a : b}`);
  return { autogradMs: fa.medianMs, manualMs: fb.medianMs, ratio: fa.medianMs / fb.medianMs, rme: Math.max(fa.rme, fb.rme) };
}
