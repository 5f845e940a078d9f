// The training step in C on OpenBLAS (native/openblas-mlp.c), compiled here with the system's gcc: as a program run
// as a child process (native/openblas-step.c, for `pnpm bench:openblas`) or as a Node addon loaded into this process
// (native/openblas-addon.c, for the `openblas` peer of `pnpm bench --peers`). It is the floor that "close to what
// this CPU can do" is measured against, on the machine at hand. Optional: it needs gcc and OpenBLAS's development
// files (Debian: `apt-get install libopenblas-dev`), which the npm registry cannot provide, so nothing else
// depends on it.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActivationName } from '@tapegrad/autograd/kernels';
import { nodeIncludeDir } from '@tapegrad/autograd/kernels/native';
import type { Batch } from './datasets/dataset.ts';
import type { Params } from './engine.ts';

// The CPU's OpenBLAS kernel set and Node's headers: found as the native backend of the kernels finds them
export { cpuFlags, nodeIncludeDir, openblasCoreFor } from '@tapegrad/autograd/kernels/native';

const NATIVE = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');
/** The C sources, beside this package's src/: the step itself, the program around it, the addon around it. */
export const OPENBLAS_SOURCES = {
  step: join(NATIVE, 'openblas-mlp.c'),
  program: join(NATIVE, 'openblas-step.c'),
  addon: join(NATIVE, 'openblas-addon.c'),
} as const;

const ACTIVATION_CODES: Partial<Record<ActivationName, number>> = { relu: 0, sigmoid: 1 };

/** What the C step is given: a network, its parameters, one batch and the learning rate. */
export interface OpenblasProblem {
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  readonly params: Params;
  readonly batch: Batch;
  readonly lr: number;
}

/**
 * The problem as mlp_load reads it (native/openblas-mlp.h), little-endian: int32 n, int32 sizes[n + 1], int32 N, int32
 * activation, float32 lr, float32 W^1, b^1, …, W^n, b^n, float32 x (N × sizes[0]), int32 labels[N].
 */
export function encodeProblem(p: OpenblasProblem): Uint8Array {
  const n = p.sizes.length - 1;
  const code = ACTIVATION_CODES[p.activation];
  if (code === undefined) throw new Error(`openblas: activation "${p.activation}" has no C version; expected relu or sigmoid`);
  if (n < 1 || n > 16) throw new Error(`openblas: ${n} layers; the C step takes 1 to 16`);
  if (p.params.W.length !== n || p.params.b.length !== n) {
    throw new Error(`openblas: parameters for ${p.params.W.length} layers, sizes [${p.sizes.join(', ')}] need ${n}`);
  }
  if (p.batch.d !== p.sizes[0]) throw new Error(`openblas: batch rows have ${p.batch.d} features, the network takes ${p.sizes[0]}`);
  let floats = p.batch.N * p.sizes[0];
  for (let l = 1; l <= n; l++) floats += p.sizes[l - 1] * p.sizes[l] + p.sizes[l];
  const bytes = new ArrayBuffer(4 * (n + 5) + 4 * floats + 4 * p.batch.N);
  const view = new DataView(bytes);
  let at = 0;
  const int = (v: number) => {
    view.setInt32(at, v, true);
    at += 4;
  };
  const float = (v: number) => {
    view.setFloat32(at, v, true);
    at += 4;
  };
  int(n);
  for (const s of p.sizes) int(s);
  int(p.batch.N);
  int(code);
  float(p.lr);
  for (let l = 1; l <= n; l++) {
    const W = p.params.W[l - 1];
    const b = p.params.b[l - 1];
    if (W.length !== p.sizes[l - 1] || W.some((row) => row.length !== p.sizes[l]) || b.length !== p.sizes[l]) {
      throw new Error(`openblas: W^${l} or b^${l} does not have the shape (${p.sizes[l - 1]} × ${p.sizes[l]}) the sizes give`);
    }
    for (const row of W) for (const v of row) float(v);
    for (const v of b) float(v);
  }
  for (const v of p.batch.x) float(v);
  for (const k of p.batch.labels) int(k);
  return new Uint8Array(bytes);
}

/** Runs gcc on `sources` (-O3 -march=native, linked with OpenBLAS) into `output`, or throws what is missing. */
function gcc(sources: readonly string[], output: string, extra: readonly string[] = []): void {
  try {
    execFileSync('gcc', ['-O3', '-march=native', ...extra, '-o', output, ...sources, '-lopenblas', '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? (e as Error).message).trim();
    throw new Error(
      `openblas: cannot compile ${sources.join(', ')} with gcc -lopenblas; it needs gcc and OpenBLAS's development files ` +
        `(Debian/Ubuntu: apt-get install libopenblas-dev). gcc said: ${stderr.split('\n').slice(0, 3).join(' ')}`,
    );
  }
}

/** Compiles the command-line program into `dir`; its path, or an Error that says what is missing. */
export function compileOpenblasStep(dir: string): string {
  const exe = join(dir, 'openblas-step');
  gcc([OPENBLAS_SOURCES.program, OPENBLAS_SOURCES.step], exe);
  return exe;
}

/** The addon's functions (native/openblas-addon.c). */
export interface OpenblasAddon {
  load(problem: Uint8Array, threads: number): object;
  gradients(session: object): { loss: number; dW: Float32Array[]; db: Float32Array[] };
  step(session: object): number;
  free(session: object): void;
  core(): string;
}

/**
 * Compiles the addon into `dir` against this Node's headers and loads it. OpenBLAS picks its kernel set when it is
 * loaded: `core` (OPENBLAS_CORETYPE) must be chosen before, and a later load in this process keeps the first one.
 */
export function loadOpenblasAddon(dir: string, core: string | undefined): OpenblasAddon {
  const include = nodeIncludeDir();
  if (!existsSync(join(include, 'node_api.h'))) throw new Error(`openblas: Node's headers are not installed (no node_api.h in ${include})`);
  const file = join(dir, 'openblas.node');
  gcc([OPENBLAS_SOURCES.addon, OPENBLAS_SOURCES.step], file, ['-shared', '-fPIC', `-I${include}`]);
  if (core !== undefined && process.env.OPENBLAS_CORETYPE === undefined) process.env.OPENBLAS_CORETYPE = core;
  return createRequire(import.meta.url)(file) as OpenblasAddon;
}

/** What one run of the C program reports. */
export interface OpenblasRun {
  readonly threads: number;
  /** The OpenBLAS kernel set that ran (openblas_get_corename). */
  readonly core: string;
  /** The loss before each of the first checked steps. */
  readonly losses: readonly number[];
  readonly stepsPerSample: number;
  /** ms per step of each timed sample, in order. */
  readonly sampleMs: readonly number[];
}

/**
 * Runs the compiled step on `problemFile` with OpenBLAS on `threads` threads (and the kernel set `core`, when
 * given): `checkSteps` SGD steps whose losses are reported, then `samples` timed samples of at least `minSampleMs`
 * each (training on from there).
 */
export function runOpenblasStep(
  exe: string,
  problemFile: string,
  options: { threads: number; checkSteps: number; samples: number; minSampleMs: number; core?: string },
): OpenblasRun {
  const args = [problemFile, options.threads, options.checkSteps, options.minSampleMs, options.samples].map(String);
  // OPENBLAS_NUM_THREADS caps the pool openblas_set_num_threads may use: set it to the count asked for
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(options.threads) };
  if (options.core !== undefined) env.OPENBLAS_CORETYPE = options.core;
  const out = execFileSync(exe, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as OpenblasRun;
}

/** Writes the problem as `dir`/problem.bin and returns its path. */
export function writeProblemFile(p: OpenblasProblem, dir: string): string {
  const file = join(dir, 'problem.bin');
  writeFileSync(file, encodeProblem(p));
  return file;
}
