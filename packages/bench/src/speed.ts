import Benchmark from 'benchmark';
import type { Batch } from './datasets/dataset.ts';
import type { Engine, Params } from './engine.ts';

// Speed, measured with benchmark.js: for each engine a full training step (forward, loss, backward, SGD), and the
// forward pass (with the loss) and the backward pass on their own. Figures: ops/sec with benchmark.js's relative
// margin of error (95% confidence), and the median of its samples in ms per call.
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

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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

/** Benchmarks each engine on `batch` according to the plan. */
export async function measureSpeed(engines: readonly Engine[], batch: Batch, options: SpeedOptions): Promise<SpeedFigure[]> {
  const { plan, lr, params } = options;
  const figures: SpeedFigure[] = [];
  const total = engines.length * plan.phases.length;
  let index = 0;
  for (let e = 0; e < engines.length; e++) {
    const engine = engines[e];
    engine.setParams(params);
    for (const phase of plan.phases) {
      options.onBenchmark?.(`${engine.name} ${phase}`, index++, total);
      const fn =
        phase === 'step' ? () => void engine.step(batch, lr) : phase === 'forward' ? () => engine.forward(batch) : () => engine.backward();
      if (phase === 'backward') engine.forward(batch);
      warmUp(fn, plan.maxTime / 4);
      options.onCycle?.();
      const slow = (options.stepMs[e] ?? 0) * SHARE[phase] > 20;
      const bench = await runBenchmark(`${engine.name} ${phase}`, fn, { minSamples: plan.minSamples, maxTime: plan.maxTime, slow, onCycle: options.onCycle });
      const sample = bench.stats.sample;
      figures.push({
        engine: engine.name,
        phase,
        hz: bench.hz,
        rme: bench.stats.rme,
        medianMs: median(sample) * 1000,
        meanMs: bench.stats.mean * 1000,
        samples: sample.length,
      });
    }
  }
  options.onBenchmark?.('done', total, total);
  return figures;
}

/** The headline of a workload: each engine's median ms per training step, their ratio, and the worse margin. */
export function headline(figures: readonly SpeedFigure[], a = 'autograd', b = 'manual'): { autogradMs: number; manualMs: number; ratio: number; rme: number } {
  const fa = figures.find((f) => f.engine === a && f.phase === 'step');
  const fb = figures.find((f) => f.engine === b && f.phase === 'step');
  if (fa === undefined || fb === undefined) throw new Error(`speed: no training-step figure for ${fa === undefined ? a : b}`);
  return { autogradMs: fa.medianMs, manualMs: fb.medianMs, ratio: fa.medianMs / fb.medianMs, rme: Math.max(fa.rme, fb.rme) };
}
