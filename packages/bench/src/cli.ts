import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { ActivationName, DType, KernelBackend } from '@tapegrad/autograd/kernels';
import { ACTIVATION_NAMES, getBackend, getKernelThreads, kernelThreadsReady, setBackend, wasmFusedMultiplyAdd } from '@tapegrad/autograd/kernels';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { PeerName, StartedPeer } from './peers/index.ts';
import { PEER_NAMES, startPeers } from './peers/index.ts';
import { dataDirCheck, outputsProblem } from './cli-checks.ts';
import { EngineModuleError } from './engine-module.ts';
import { fitColumns } from './columns.ts';
import { progressFor } from './progress.ts';
import { backendLabel, checkBackend, KERNEL_BACKENDS } from './kernel-backend.ts';
import { detailText, jsonReport, markdownReport, summaryCaption, summaryTable } from './report.ts';
import type { WorkloadResult } from './run.ts';
import { runWorkload } from './run.ts';
import type { UserEngineRun } from './user-run.ts';
import { loadUserEngine, runUserEngine, userEngineJson, userEngineSummary } from './user-run.ts';
import { junitReport } from './junit.ts';
import { writeHtmlReport } from './html-report.ts';
import { FASHION_MNIST_DIR, imageDatasetMissing, loadImageDataset } from './datasets/fashion.ts';
import type { FashionResult } from './fashion.ts';
import { FASHION_SEED, runFashion } from './fashion.ts';
import { fashionMarkdown, fashionTable } from './fashion-report.ts';
import type { Workload } from './workloads.ts';
import { networkWorkload, WORKLOAD_NAMES, workloadByName } from './workloads.ts';

// `pnpm bench`: both engines on every workload, equality first, speed only after it. pnpm runs this with the
// package as its working directory; paths the user gives are resolved against where they typed the command.

const DTYPES: readonly DType[] = ['float32', 'float64'];

/** The lockstep SGD workloads, and `fashion`: Adam on the whole of Fashion-MNIST (fashion.ts). */
const CHOICES = [...WORKLOAD_NAMES, 'fashion'] as const;
type Choice = (typeof CHOICES)[number];

/** Splits "a,b" and checks every name against `choices`, with an error that lists them. */
function listOf<T extends string>(what: string, choices: readonly T[]) {
  return (value: string, previous: T[] | undefined): T[] => {
    const out = [...(previous ?? [])];
    const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === 0) throw new InvalidArgumentError(`no ${what} named; choose from ${choices.join(', ')}`);
    for (const v of names) {
      if (!(choices as readonly string[]).includes(v)) {
        throw new InvalidArgumentError(`unknown ${what} ${JSON.stringify(v)}; choose from ${choices.join(', ')}`);
      }
      if (!out.includes(v as T)) out.push(v as T);
    }
    return out;
  };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

function sizesArg(value: string): number[] {
  const sizes = value.split(',').map((s) => s.trim());
  if (sizes.length < 2 || sizes.some((s) => !/^\d+$/.test(s) || Number(s) < 1)) {
    throw new InvalidArgumentError(`expected at least two positive layer widths separated by commas (784,100,10), got ${JSON.stringify(value)}`);
  }
  return sizes.map(Number);
}

function activationArg(value: string): ActivationName {
  const v = value.trim();
  if (!(ACTIVATION_NAMES as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown activation ${JSON.stringify(v)}; choose from ${ACTIVATION_NAMES.join(', ')}`);
  return v as ActivationName;
}

/** A kernel backend name that this process can use: unknown names list the choices, unavailable ones say why. */
function backendArg(value: string): KernelBackend {
  try {
    return checkBackend(value.trim());
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

/** A user path, relative to the directory pnpm was started from. */
export function userPath(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return isAbsolute(p) ? p : resolve(env.INIT_CWD ?? process.cwd(), p);
}

interface CliOptions {
  workload?: Choice[];
  epochs?: number;
  seed?: number;
  dtype?: DType[];
  steps?: number;
  quick?: boolean;
  json?: string;
  markdown?: string;
  data?: string;
  speed: boolean;
  details: boolean;
  peers?: PeerName[] | true;
  backend?: KernelBackend;
  engine?: string;
  sizes?: number[];
  activation?: ActivationName;
  batch?: number;
  junit?: string;
  report?: string;
}

export function buildProgram(name = 'pnpm bench'): Command {
  return new Command()
    .name(name)
    .description(
      'Trains identical networks with the autograd and the manual engine, proves at every step that their gradients agree, ' +
        'and only then reports how fast each one is; with --engine, your engine too. `pnpm bench` and `tapegrad-bench` are the same command. ' +
        'Exit code: 0 when every equality check passed, 1 when one failed, 2 for a usage error.',
    )
    .option('-w, --workload <names>', `workloads to run, comma-separated or repeated (choices: ${CHOICES.join(', ')}; default all, fashion where its data is)`, listOf('workload', CHOICES))
    .option('--epochs <n>', 'epochs of the fashion workload (default 3, 1 with --quick)', positiveInt)
    .option('--seed <n>', `seed of the fashion workload's initial parameters and batch orders (default ${FASHION_SEED}): each seed is another trajectory`, nonNegativeInt)
    .option('-d, --dtype <dtypes>', `dtypes to run (choices: ${DTYPES.join(', ')}; default both, float32 with --quick)`, listOf('dtype', DTYPES))
    .option('-s, --steps <k>', 'lockstep SGD steps per workload (default: per workload, fewer with --quick)', positiveInt)
    .option('--sizes <widths>', 'a network of your own instead of the named workloads (or beside those given with --workload): layer widths, e.g. 784,100,10', sizesArg)
    .option('--activation <name>', `its hidden activation (choices: ${ACTIVATION_NAMES.join(', ')}; default relu); needs --sizes`, activationArg)
    .option('--batch <n>', 'its batch size (default 32); needs --sizes', positiveInt)
    .option('--engine <file>', 'also check (and, if it has forward() and backward(), time) your engine against the manual one: a .ts or .js module exporting `engine`')
    .option('-q, --quick', 'all four workloads, fewer steps, short benchmarks (about 45 s on 2 cores)')
    .option('--json <file>', 'write machine-readable results to FILE')
    .option('--markdown <file>', 'write the summary and details as markdown to FILE')
    .option('--report <dir>', 'write DIR/index.html, plots of the run (losses, times, ulps, fashion accuracy), and DIR/report.md')
    .option('--junit <file>', 'write JUnit XML to FILE: one test case per workload × dtype × symbol, failures with the divergence')
    .option('--data <dir>', `directory with MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…) for mnist-mlp, wide and fashion (default for fashion: ${FASHION_MNIST_DIR})`)
    .option('--no-speed', 'check equality only, no benchmarks')
    .option('--no-details', 'print only the summary table, not the per-workload reports')
    .option(
      '-b, --backend <name>',
      `kernel backend of the matrix products, for both engines (choices: ${KERNEL_BACKENDS.join(', ')}; default: the library's, wasm where it loads, or $TAPEGRAD_BACKEND)`,
      backendArg,
    )
    .option('--peers [names]', `also check and time other libraries on the float32 workloads (choices: ${PEER_NAMES.join(', ')}; default all)`, listOf('peer', PEER_NAMES))
    .showHelpAfterError('(run with --help for every option)')
    .allowExcessArguments(false);
}

/** Where the CLI writes: the terminal, or a test's buffers. */
export interface CliIO {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly err: NodeJS.WritableStream;
}

/** Runs the CLI; resolves to the exit code (0 all equal, 1 an equality check failed, 2 a usage or run error). */
export async function main(argv: readonly string[], io: CliIO = { out: process.stdout, err: process.stderr }, name = 'pnpm bench'): Promise<number> {
  const args = argv.slice(2).filter((a, i) => !(i === 0 && a === '--')); // `pnpm bench -- --quick` passes the `--` on
  const program = buildProgram(name)
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out.write(t), writeErr: (t) => io.err.write(t) });
  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const o = program.opts<CliOptions>();
  const usage = (message: string) => {
    io.err.write(`error: ${message}\n(run with --help for every option)\n`);
    return 2;
  };
  if (o.sizes === undefined && (o.activation !== undefined || o.batch !== undefined)) return usage(`--${o.activation !== undefined ? 'activation' : 'batch'} describes the network of --sizes, which is missing`);
  const fashionOnly = o.epochs !== undefined ? 'epochs' : o.seed !== undefined ? 'seed' : undefined;
  if (fashionOnly !== undefined && o.workload !== undefined && !o.workload.includes('fashion')) {
    return usage(`--${fashionOnly} is for the fashion workload, which --workload leaves out (${o.workload.join(', ')})`);
  }
  let user: UserEngineRun | undefined;
  if (o.engine !== undefined) {
    try {
      user = await loadUserEngine(userPath(o.engine));
    } catch (e) {
      if (e instanceof EngineModuleError) return usage(e.message);
      throw e;
    }
  }
  const backend = o.backend ?? getBackend();
  // start the kernel worker threads before anything is timed (they would otherwise start during the first big product)
  const threads = backend === 'wasm' ? await kernelThreadsReady() : backend === 'native' ? getKernelThreads() : 1;
  const fma = backend === 'wasm' && wasmFusedMultiplyAdd();
  const named: readonly Choice[] = o.workload ?? (o.sizes === undefined ? CHOICES : []);
  const workloads: Workload[] = named.filter((n) => n !== 'fashion').map((n) => workloadByName(n));
  if (o.sizes !== undefined) workloads.push(networkWorkload(o.sizes, o.activation ?? 'relu', o.batch ?? 32));
  const dtypes: DType[] = o.dtype ?? (o.quick ? ['float32'] : [...DTYPES]);
  const dataDir = o.data === undefined ? undefined : userPath(o.data);
  // fashion reads --data itself (its check is below), so the MNIST workloads' check applies only when one of them runs
  const data = named.includes('fashion') && !workloads.some((w) => w.data === 'mnist') ? {} : dataDirCheck(dataDir, workloads);
  const outputs = { '--json': o.json, '--markdown': o.markdown, '--junit': o.junit };
  const unwritable = outputsProblem(Object.fromEntries(Object.entries(outputs).map(([flag, p]) => [flag, p === undefined ? undefined : [p, userPath(p)] as const])));
  if (unwritable !== null || data.error !== undefined) return usage((unwritable ?? data.error) as string);
  if (data.notice !== undefined) io.err.write(`note: ${data.notice}\n`);
  // fashion: named, or by default where its data is (not with --quick unless named)
  const fashionDir = dataDir ?? FASHION_MNIST_DIR;
  const fashionMissing = imageDatasetMissing(fashionDir);
  let fashionSkip: string | null = null;
  if (named.includes('fashion')) {
    if (o.workload === undefined && o.quick) fashionSkip = 'not with --quick (name it: --workload fashion)';
    else if (fashionMissing !== null) fashionSkip = fashionMissing;
  }
  if (o.workload?.includes('fashion') && fashionMissing !== null) return usage(`--workload fashion needs Fashion-MNIST: ${fashionMissing}`);
  // the output's prose wrapped to the 120 columns its tables fit in
  const say = (text: string): void => void io.out.write(fitColumns(text));
  const started = performance.now();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
  const command = `${name} ${args.join(' ')}`.trim();
  const runsFashion = named.includes('fashion') && fashionSkip === null;
  say(
    `tapegrad bench: ${workloads.length > 0 ? `${workloads.map((w) => w.name).join(', ')} × ${dtypes.join(', ')}` : ''}` +
      `${runsFashion ? `${workloads.length > 0 ? ', ' : ''}fashion × float32` : ''}${o.quick ? ' (quick)' : ''}, ` +
      `${backendLabel(backend, threads)} kernels, on ${machine}\n`,
  );
  let peers: StartedPeer[] | undefined;
  if (o.peers !== undefined) {
    peers = await startPeers(o.peers === true ? PEER_NAMES : o.peers);
    for (const p of peers) say(`peer ${p.name}: ${p.detail}\n`);
  }
  const results: WorkloadResult[] = [];
  for (const w of workloads) {
    for (const dtype of dtypes) {
      const r = await runWorkload(w, dtype, {
        steps: o.steps,
        quick: o.quick,
        dataDir,
        speed: o.speed,
        peers,
        backend,
        progress: progressFor(`[${w.name} ${dtype}]`, io.out),
      });
      results.push(r);
      if (o.details) say(`\n${detailText(r)}\n\n`);
      if (user !== undefined) {
        const options = { steps: o.steps, quick: o.quick, dataDir, speed: o.speed, backend };
        const u = await runUserEngine(user, w, dtype, options, (engine) => progressFor(`[${w.name} ${dtype} ${engine}]`, io.out));
        if (o.details) say(`\n${detailText(u)}\n\n`);
      }
    }
  }
  let fashion: FashionResult | null = null;
  if (named.includes('fashion') && fashionSkip !== null) say(`fashion: skipped: ${fashionSkip}\n`);
  if (runsFashion) {
    const torch = o.peers === true || (o.peers ?? []).includes('torch');
    const data = loadImageDataset(fashionDir);
    // fashion's engines follow the process-wide backend (the lockstep workloads pin theirs): set it for the run
    const previous = getBackend();
    setBackend(backend);
    try {
      fashion = await runFashion({ data, epochs: o.epochs ?? (o.quick ? 1 : 3), seed: o.seed, torch, progress: progressFor('[fashion]', io.out) });
    } finally {
      setBackend(previous);
    }
    if (o.details) say(`\n${fashionTable(fashion)}\n\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (results.length > 0) say(`${summaryCaption(results, threads, fma)}\n${summaryTable(results)}\n`);
  if (fashion !== null && !o.details) say(`${fashionTable(fashion)}\n`);
  if (user !== undefined) say(`${userEngineSummary(user)}\n`);
  const all = [...results, ...(user?.results ?? [])];
  const failed = all.filter((r) => !r.equality.pass);
  const fashionFailed = fashion !== null && fashion.parameterUlps.some((u) => !(u === 0));
  if (fashion !== null) {
    const worst = Math.max(...fashion.parameterUlps);
    say(
      fashionFailed
        ? `fashion: the engines' parameters DRIFTED apart (up to ${worst} ulps) on the ${fashion.backend} kernels.\n`
        : `fashion: the engines' parameters stayed bit-identical over ${fashion.parameterUlps.length} epochs on the ${fashion.backend} kernels.\n`,
    );
  }
  if (all.length > 0) say(
    failed.length === 0
      ? `All ${all.length} equality checks passed in ${seconds.toFixed(1)} s on the ${backend} kernels.\n`
      : `${failed.length} of ${all.length} equality checks FAILED on the ${backend} kernels ` +
          `(${failed.map((r) => `${r.engines[0]} on ${r.name} ${r.dtype}`).join(', ')}); no speed figures for them.\n`,
  );
  const meta = { command, machine, date: new Date().toISOString(), seconds, kernelThreads: threads, fusedMultiplyAdd: fma };
  if (o.json !== undefined) {
    const file = userPath(o.json);
    const report = { ...(jsonReport(results, meta) as Record<string, unknown>), ...(fashion === null ? {} : { fashion }) };
    writeFileSync(file, `${JSON.stringify(user === undefined ? report : { ...report, engine: userEngineJson(user) }, null, 2)}\n`);
    io.out.write(`Wrote ${file}\n`);
  }
  const fashionMd = fashion === null ? '' : `\n${fashionMarkdown(fashion)}\n`;
  // a fashion-only run has no lockstep table: its markdown is the fashion section under the command
  const head = results.length > 0 ? markdownReport(results, meta) : `# tapegrad bench\n\n\`${command}\` on ${machine}, ${meta.date}\n`;
  const markdown = `${head}\n${user === undefined ? '' : `\n${markdownReport(user.results, meta)}\n`}${fashionMd}`;
  if (o.markdown !== undefined) {
    const file = userPath(o.markdown);
    writeFileSync(file, markdown);
    io.out.write(`Wrote ${file}\n`);
  }
  if (o.report !== undefined) {
    const file = await writeHtmlReport(userPath(o.report), { results, fashion, markdown, title: `tapegrad bench: ${command}` });
    io.out.write(`Wrote ${file} (and report.md beside it)\n`);
  }
  if (o.junit !== undefined) {
    const file = userPath(o.junit);
    writeFileSync(file, junitReport([{ results }, { results: user?.results ?? [] }], name));
    io.out.write(`Wrote ${file}\n`);
  }
  return failed.length === 0 && !fashionFailed ? 0 : 1;
}

/** Runs the CLI on this process's arguments and sets its exit code: `pnpm bench`, and bin/tapegrad-bench.js. */
export async function runCommand(name = 'pnpm bench'): Promise<void> {
  try {
    process.exitCode = await main(process.argv, undefined, name);
  } catch (err) {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (isEntry) void runCommand();
