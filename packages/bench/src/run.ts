import type { DType, KernelBackend } from '@tapegrad/autograd/kernels';
import { getBackend, setBackend } from '@tapegrad/autograd/kernels';
import type { Divergence, EqualityReport } from './compare.ts';
import { TOLERANCES } from './compare.ts';
import { headOf, makeBatches } from './datasets/dataset.ts';
import { loadDataset } from './datasets/load.ts';
import type { EngineFactory, NetworkSpec } from './engine.ts';
import { hiddenActivations } from './engine.ts';
import { ms } from './format.ts';
import { autogradEngine, manualEngine } from './engines/index.ts';
import type { FdReport } from './finite-diff.ts';
import type { PeerResult, StartedPeer } from './peers/index.ts';
import { runPeers } from './peers/index.ts';
import { DEFAULT_FD_TOLERANCE, finiteDifferences } from './finite-diff.ts';
import { initParams } from './init.ts';
import { lockstep } from './lockstep.ts';
import type { ProbeFigures } from './machine-probe.ts';
import { SpeedProbe } from './machine-probe.ts';
import type { MemoryFigures } from './memory.ts';
import { RssSampler } from './memory.ts';
import type { SpeedFigure, SpeedPlan } from './speed.ts';
import { headline, measureSpeed, planSpeed } from './speed.ts';
import type { Workload } from './workloads.ts';
import type { UlpsBucket } from './ulps.ts';
import { ulpsHistogram } from './ulps.ts';

// One workload in one dtype, start to finish: the data, one seeded initialisation loaded into both engines, the
// finite-difference opinion, the lockstep run, and, only when all of that agrees, the benchmarks. The resident set
// size is sampled throughout (memory.ts).

/** How the run reports what it is doing (a progress bar on a terminal, a line per phase otherwise). */
export interface ProgressSink {
  phase(label: string, total: number): void;
  tick(done: number, total: number, note?: string): void;
  end(summary: string): void;
}

const silent: ProgressSink = { phase() {}, tick() {}, end() {} };

export interface RunOptions {
  /** Lockstep steps; default the workload's (`quickSteps` with quick). */
  readonly steps?: number;
  readonly quick?: boolean;
  /** MNIST IDX directory for the 'mnist' workloads. */
  readonly dataDir?: string;
  /** Measure speed after a passing check (default true). */
  readonly speed?: boolean;
  /**
   * Seconds the benchmarks of one workload may take: default 8 with quick (benchmark.js maxTime 0.5 s, at least 3
   * samples), 60 otherwise (maxTime 2 s, at least 5 samples). Too slow for all six benchmarks, the forward and
   * backward ones are dropped, with a note; the training step is always timed.
   */
  readonly speedBudgetS?: number;
  /** Rows of the batch the finite differences use (default 16; the chapter's 3 when the batch is smaller). */
  readonly fdRows?: number;
  /** Parameters sampled by the finite differences (default 24, 12 with quick). */
  readonly fdSamples?: number;
  /** The engines compared: candidate against reference (default autograd against manual). */
  readonly candidate?: EngineFactory;
  readonly reference?: EngineFactory;
  /** Other libraries to check and time beside tapegrad (started already; see startPeers). */
  readonly peers?: readonly StartedPeer[];
  readonly progress?: ProgressSink;
  /**
   * The kernel backend of the matrix products during the run (both engines): selected at the start, the previous
   * one restored at the end. Default: whatever is selected (the library's default: wasm where it loads).
   */
  readonly backend?: KernelBackend;
}

export interface EqualitySummary {
  readonly pass: boolean;
  readonly exact: boolean;
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly maxUlps: number;
  readonly firstDivergence: Divergence | null;
  /** What failed, in words, when `pass` is false. */
  readonly failures: readonly string[];
  readonly tolerance: { readonly rtol: number; readonly floor: number };
  /** The full report of step 0: every parameter and symbol. */
  readonly report: EqualityReport;
  /** Every step merged. */
  readonly steps: EqualityReport;
  readonly drift: EqualityReport;
  readonly finiteDifferences: FdReport;
}

export interface SpeedSummary {
  readonly autogradMs: number;
  readonly manualMs: number;
  /** autograd ms / manual ms per training step. */
  readonly ratio: number;
  /** The larger relative margin of error of the two step figures, in percent. */
  readonly rme: number;
  readonly figures: readonly SpeedFigure[];
  readonly plan: SpeedPlan;
  /** The machine's speed on a fixed product, sampled before each benchmark (machine-probe.ts); null if unmeasured. */
  readonly machine: ProbeFigures | null;
}

export interface WorkloadResult {
  readonly name: string;
  readonly sizes: readonly number[];
  readonly activation: string;
  readonly batch: number;
  readonly dtype: DType;
  /** The kernel backend the matrix products ran on. */
  readonly backend: KernelBackend;
  /** The data set actually used: 'chapter', 'spiral', 'synthetic' or 'mnist'. */
  readonly data: string;
  readonly steps: number;
  readonly lr: number;
  readonly engines: readonly [string, string];
  readonly equality: EqualitySummary;
  /** Loss before each lockstep step, per engine. */
  readonly losses: Readonly<Record<string, readonly number[]>>;
  /** How many elements of the first step's gradients (δ, ∂loss/∂W, ∂loss/∂b of every layer) lie how many ulps apart. */
  readonly gradientUlps: readonly UlpsBucket[];
  /** null when the equality check failed (no speed figure without it) or speed was turned off. */
  readonly speed: SpeedSummary | null;
  readonly speedNote?: string;
  /** Peer libraries on the same workload (with --peers). */
  readonly peers: readonly PeerResult[];
  /**
   * Resident set size while tapegrad's part ran (data, finite differences, lockstep, benchmarks; the peers after
   * it are not included). Process-wide: see memory.ts for what that includes.
   */
  readonly memory: MemoryFigures;
  readonly seconds: number;
}

/** Checks, then times, one workload in one dtype. */
export async function runWorkload(w: Workload, dtype: DType, options: RunOptions = {}): Promise<WorkloadResult> {
  if (options.backend === undefined) return run(w, dtype, options);
  const previous = getBackend();
  setBackend(options.backend);
  try {
    return await run(w, dtype, options);
  } finally {
    setBackend(previous);
  }
}

async function run(w: Workload, dtype: DType, options: RunOptions): Promise<WorkloadResult> {
  const started = performance.now();
  const mem = new RssSampler();
  const backend = getBackend();
  const { quick = false, progress = silent, candidate = autogradEngine, reference = manualEngine } = options;
  const steps = options.steps ?? (quick ? w.quickSteps : w.steps);
  const spec: NetworkSpec = { sizes: w.sizes, activation: w.activation };

  progress.phase('data and engines', 1);
  const ds = loadDataset(w, { dataDir: options.dataDir, samples: steps * w.batch });
  const batches = makeBatches(ds, w.batch, steps, w.seed);
  const params = initParams(w.sizes, w.activation, w.seed);
  const a = candidate(spec, dtype);
  const b = reference(spec, dtype);
  a.setParams(params);
  b.setParams(params);
  mem.sample();
  progress.end(`${ds.name} data, ${ds.count} samples`);

  // the third opinion, on the first rows of the first batch at the initial parameters
  progress.phase('finite differences', 1);
  const fdBatch = headOf(batches[0], options.fdRows ?? 16);
  const sa = a.symbols(fdBatch);
  const sb = b.symbols(fdBatch);
  const fd = finiteDifferences(
    { sizes: w.sizes, activations: hiddenActivations(spec) },
    b.getParams(),
    fdBatch,
    [
      { name: a.name, dW: sa.layers.map((l) => l.dW), db: sa.layers.map((l) => l.db) },
      { name: b.name, dW: sb.layers.map((l) => l.dW), db: sb.layers.map((l) => l.db) },
    ],
    { samples: options.fdSamples ?? (quick ? 12 : 24), seed: w.seed, ...DEFAULT_FD_TOLERANCE[dtype], inputDtype: dtype },
  );
  mem.sample();
  progress.end(`${fd.checked} parameters, ${fd.failed} failed, ${fd.kinks} at a ReLU kink`);

  progress.phase(`lockstep, ${steps} SGD steps`, steps);
  const ls = lockstep(a, b, candidate(spec, dtype), batches, dtype, {
    steps,
    lr: w.lr,
    onStep: (t, n) => {
      mem.sample();
      progress.tick(t, n);
    },
  });
  const failures: string[] = [];
  if (!ls.equality.pass) failures.push('gradients');
  if (!ls.drift.pass) failures.push('parameter drift');
  if (!fd.pass) failures.push('finite differences');
  const pass = failures.length === 0;
  progress.end(pass ? `equal${ls.equality.exact ? ', bit for bit' : ''}` : `DIFFERENT: ${failures.join(', ')}`);

  const equality: EqualitySummary = {
    pass,
    exact: ls.equality.exact && ls.drift.exact,
    maxAbs: ls.equality.maxAbs,
    maxRel: ls.equality.maxRel,
    maxUlps: ls.equality.maxUlps,
    firstDivergence: ls.equality.firstDivergence ?? ls.drift.firstDivergence,
    failures,
    tolerance: TOLERANCES[dtype],
    report: ls.reports[0],
    steps: ls.equality,
    drift: ls.drift,
    finiteDifferences: fd,
  };

  let speed: SpeedSummary | null = null;
  let speedNote: string | undefined;
  if (options.speed === false) speedNote = 'speed not measured (--no-speed)';
  else if (!pass) speedNote = 'no speed figure: the equality check failed';
  else {
    const plan = planSpeed(ls.stepMs, options.speedBudgetS ?? (quick ? 8 : 60), quick ? 0.5 : 2, quick ? 3 : 5);
    progress.phase('benchmarks', plan.phases.length * 2);
    const probe = new SpeedProbe();
    const figures = await measureSpeed([a, b], batches[0], {
      plan,
      lr: w.lr,
      params,
      stepMs: ls.stepMs,
      onBenchmark: (label, i, n) => {
        probe.sample(); // before each benchmark and once after the last ('done'), never inside one
        progress.tick(i, n, label);
      },
      onCycle: () => mem.sample(),
    });
    speed = { ...headline(figures, a.name, b.name), figures, plan, machine: probe.finish() };
    progress.end(`${a.name} ${ms(speed.autogradMs)} ms, ${b.name} ${ms(speed.manualMs)} ms per step`);
  }
  const memory = mem.finish();
  let peers: PeerResult[] = [];
  if (options.peers !== undefined && options.peers.length > 0) {
    progress.phase('peers', 1);
    peers = await runPeers(options.peers, {
      spec,
      dtype,
      params,
      batch: batches[0],
      lr: w.lr,
      reference: { name: b.name, symbols: ls.first[1] },
      enginesPassed: pass,
      plan: speed?.plan ?? null,
    });
    progress.end(peers.map((p) => `${p.name} ${p.speed ? `${ms(p.speed.medianMs)} ms` : (p.note ?? '')}`).join(', '));
  }
  return {
    name: w.name,
    sizes: w.sizes,
    activation: w.activation,
    batch: w.batch,
    dtype,
    backend,
    data: ds.name,
    steps,
    lr: w.lr,
    engines: [a.name, b.name],
    equality,
    losses: { [a.name]: ls.losses[0], [b.name]: ls.losses[1] },
    gradientUlps: ulpsHistogram(ls.first[0], ls.first[1], dtype),
    speed,
    ...(speedNote === undefined ? {} : { speedNote }),
    peers,
    memory,
    seconds: (performance.now() - started) / 1000,
  };
}
