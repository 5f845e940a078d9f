// pnpm bench:openblas: the bench's float32 workloads as a C training step on OpenBLAS (1 and 2 threads), timed in
// turns with tapegrad's two engines in one run, after checking that the C step trains exactly as the manual engine
// does (the loss of its first steps). Needs gcc and libopenblas-dev; see src/openblas.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { kernelThreadsReady } from '@tapegrad/autograd/kernels';
import {
  autogradEngine, initParams, loadDataset, makeBatches, manualEngine, runBenchmark, summarize, warmUp, WORKLOAD_NAMES, workloadByName,
} from '../src/index.ts';
import { compileOpenblasStep, cpuFlags, openblasCoreFor, runOpenblasStep, writeProblemFile } from '../src/internal.ts';
import { userPath } from '../src/cli.ts';
import type { Engine, Workload } from '../src/index.ts';

const CHECK_STEPS = 3;
/** Largest relative difference allowed between the C step's losses and the manual engine's (float32, other sums). */
const LOSS_TOLERANCE = 1e-4;

const program = new Command('pnpm bench:openblas')
  .description('Times a C training step on OpenBLAS beside both tapegrad engines, on the bench workloads (float32).')
  .addOption(new Option('-w, --workload <names>', 'workloads, comma-separated').default(WORKLOAD_NAMES.join(',')))
  .addOption(new Option('-r, --rounds <n>', 'rounds of turns (OpenBLAS ×1, ×2, autograd, manual)').default('3'))
  .addOption(new Option('--data <dir>', 'directory with MNIST IDX files for mnist-mlp and wide'))
  .addOption(new Option('--core <name>', "OpenBLAS kernel set (OPENBLAS_CORETYPE); 'auto': the best this CPU's flags allow").default('auto'))
  .addOption(new Option('--json <file>', 'also write the figures as JSON to FILE'));
program.parse();
const opts = program.opts<{ workload: string; rounds: string; data?: string; json?: string; core: string }>();

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`pnpm bench:openblas: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

async function main(): Promise<void> {
  const core = opts.core === 'auto' ? openblasCoreFor(cpuFlags()) : opts.core;
  const rounds = Number(opts.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${opts.rounds}; expected a positive integer`);
  const workloads = opts.workload.split(',').map((name) => workloadByName(name.trim()));

  const work = mkdtempSync(join(tmpdir(), 'tapegrad-openblas-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const exe = compileOpenblasStep(work);
  const threads = await kernelThreadsReady();
  const probe = runOpenblasStep(exe, writeProblemFile(problemOf(workloadByName('chapter')), work), { threads: 1, checkSteps: 0, samples: 1, minSampleMs: 1, core });
  console.log(
    `tapegrad on ${threads} kernel thread(s); OpenBLAS (${probe.core} kernels${opts.core === 'auto' ? ', chosen from the CPU flags' : ''}) on 1 and 2; ` +
      `${rounds} rounds of turns per workload; median ms per training step, float32`,
  );

  const table = new Table({ head: ['workload', 'check', 'OpenBLAS ×1', 'OpenBLAS ×2', 'autograd', 'manual', 'autograd ÷ OpenBLAS ×2'] });
  const report: Record<string, unknown>[] = [];
  for (const w of workloads) {
    const row = await measure(w, exe, work, core, rounds);
    report.push(row);
    const ms = (v: number) => (v < 0.01 ? v.toFixed(4) : v < 1 ? v.toFixed(3) : v.toFixed(2));
    table.push([w.name, row.check, ms(row.openblas1), ms(row.openblas2), ms(row.autograd), ms(row.manual), `${(row.autograd / row.openblas2).toFixed(2)}×`]);
  }
  console.log(table.toString());
  if (opts.json !== undefined) {
    writeFileSync(userPath(opts.json), `${JSON.stringify({ threads, openblasCore: probe.core, rounds, workloads: report }, null, 2)}\n`);
  }
}

/** The workload's initial parameters and first batch, as the bench makes them. */
function problemOf(w: Workload) {
  const params = initParams(w.sizes, w.activation, w.seed);
  const batch = makeBatches(loadDataset(w, { dataDir: opts.data === undefined ? undefined : userPath(opts.data) }), w.batch, 1, w.seed)[0];
  return { sizes: w.sizes, activation: w.activation, params, batch, lr: w.lr };
}

async function measure(w: Workload, exe: string, work: string, core: string | undefined, rounds: number) {
  const problem = problemOf(w);
  const { params, batch } = problem;
  const file = writeProblemFile(problem, work);

  const c = runOpenblasStep(exe, file, { threads: 1, checkSteps: CHECK_STEPS, samples: 1, minSampleMs: 1, core });
  const manual = manualEngine({ sizes: w.sizes, activation: w.activation }, 'float32');
  manual.setParams(params);
  const losses = Array.from({ length: CHECK_STEPS }, () => manual.step(batch, w.lr));
  const worst = Math.max(...losses.map((l, i) => Math.abs(c.losses[i] - l) / Math.max(1, Math.abs(l))));
  if (!(worst <= LOSS_TOLERANCE)) {
    throw new Error(`bench:openblas: ${w.name}: the C step's losses [${c.losses.join(', ')}] differ from the manual engine's [${losses.join(', ')}] (relative ${worst})`);
  }

  const engines: Engine[] = [autogradEngine, manualEngine].map((make) => make({ sizes: w.sizes, activation: w.activation }, 'float32'));
  const samples: Record<'openblas1' | 'openblas2' | 'autograd' | 'manual', number[]> = { openblas1: [], openblas2: [], autograd: [], manual: [] };
  for (let r = 0; r < rounds; r++) {
    for (const t of [1, 2] as const) {
      const run = runOpenblasStep(exe, file, { threads: t, checkSteps: 0, samples: 10, minSampleMs: 20, core });
      samples[t === 1 ? 'openblas1' : 'openblas2'].push(...run.sampleMs);
    }
    for (const e of engines) {
      e.setParams(params);
      const started = performance.now();
      e.step(batch, w.lr);
      const slow = performance.now() - started > 5;
      warmUp(() => e.step(batch, w.lr), 0.3);
      const bench = await runBenchmark(`${w.name} ${e.name}`, () => e.step(batch, w.lr), { minSamples: 10, maxTime: 1, slow });
      samples[e.name as 'autograd' | 'manual'].push(...bench.stats.sample.map((s) => s * 1000));
    }
  }
  const median = (ms: number[]) => summarize(ms.map((v) => v / 1000)).medianMs;
  return {
    workload: w.name,
    check: `${CHECK_STEPS} steps, loss Δ ${worst.toExponential(1)}`,
    openblas1: median(samples.openblas1),
    openblas2: median(samples.openblas2),
    autograd: median(samples.autograd),
    manual: median(samples.manual),
  };
}
