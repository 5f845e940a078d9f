// The training step in C on OpenBLAS (native/openblas-step.c), compiled here with the system's gcc and run as a
// child process: the floor that the "close to what this CPU can do" is measured against, on the machine at
// hand. Optional: it needs gcc and OpenBLAS's development files (Debian: `apt-get install libopenblas-dev`), which
// the npm registry cannot provide, so `pnpm bench` never depends on it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActivationName } from '@tapegrad/autograd/kernels';
import type { Batch } from './datasets/dataset.ts';
import type { Params } from './engine.ts';

/** The C source, beside this package's src/. */
export const OPENBLAS_SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'native', 'openblas-step.c');

const ACTIVATION_CODES: Partial<Record<ActivationName, number>> = { relu: 0, sigmoid: 1 };

/** What the C program is given: a network, its parameters, one batch and the learning rate. */
export interface OpenblasProblem {
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  readonly params: Params;
  readonly batch: Batch;
  readonly lr: number;
}

/**
 * The problem file native/openblas-step.c reads (little-endian): int32 n, int32 sizes[n + 1], int32 N, int32
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

/** Compiles the C step into `dir`; the program's path, or an Error that says what is missing. */
export function compileOpenblasStep(dir: string): string {
  const exe = join(dir, 'openblas-step');
  try {
    execFileSync('gcc', ['-O3', '-march=native', '-o', exe, OPENBLAS_SOURCE, '-lopenblas', '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? (e as Error).message).trim();
    throw new Error(
      `openblas: cannot compile ${OPENBLAS_SOURCE} with gcc -lopenblas; it needs gcc and OpenBLAS's development files ` +
        `(Debian/Ubuntu: apt-get install libopenblas-dev). gcc said: ${stderr.split('\n').slice(0, 3).join(' ')}`,
    );
  }
  return exe;
}

/**
 * The OpenBLAS kernel set (OPENBLAS_CORETYPE) for a CPU with these /proc/cpuinfo flags, or undefined to let
 * OpenBLAS choose. Why choose: a build that predates the CPU (Debian 12's 0.3.21 on a 5th-generation Xeon, model
 * 207, as here) falls back to its generic SSE3 kernels ("Prescott"), several times slower than the AVX-512 ones the
 * CPU can run; the floor would then be no floor.
 */
export function openblasCoreFor(flags: ReadonlySet<string>): string | undefined {
  if (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}

/** The CPU flags of this machine (from /proc/cpuinfo; empty where there is none). */
export function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set(line === undefined ? [] : line.slice(line.indexOf(':') + 1).trim().split(/\s+/));
  } catch {
    return new Set();
  }
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
