import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MLPParamsCopy } from '@tapegrad/manual';
import type { Batch } from '../datasets/dataset.ts';
import type { ImageDataset } from '../datasets/fashion.ts';
import type { Matrix, NetworkSpec, Params } from '../engine.ts';
import { hiddenActivations } from '../engine.ts';
import type { Peer, PeerGradients, PeerSession } from './peer.ts';
import { float32Rows } from './peer.ts';

// PyTorch (CPU) as a peer: peers/torch_peer.py in a subprocess of Debian's /usr/bin/python3 (python3-torch), fed the
// network, the parameters and the data through binary files in a temporary directory. PyTorch times its own steps
// (a subprocess cannot be timed from here step by step), at one thread and at all of this machine's, after giving
// the gradients of the first step for the check against the manual engine. Without python3 or torch it is
// reported unavailable with the reason.

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../peers/torch_peer.py');
const PYTHON = process.env.TAPEGRAD_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'leakyRelu'];

/** PyTorch's version, or why it cannot run here. */
export function torchVersion(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) return { ok: false, reason: `cannot run ${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, reason: `${PYTHON} -c "import torch" failed: ${r.stderr.trim().split('\n').pop() ?? ''} (install python3-torch)` };
  return { ok: true, version: r.stdout.trim() };
}

/** The thread counts PyTorch is timed at: one, and all of this machine's. */
export function torchThreads(): number[] {
  return [...new Set([1, cpus().length])];
}

/**
 * The subprocess's environment: OpenMP's pool and OpenBLAS's sized for all of this machine's threads, which the
 * script then sets per run (torch.set_num_threads sizes only the first; OpenBLAS's cap is read once, at its load).
 * OpenMP's threads wait passively unless the caller says otherwise: spinning, they take the cores from OpenBLAS's
 * between PyTorch's parallel regions (measured here, fashion at 2 threads: 3.6-4.1 s an epoch spinning, 1.3 passive;
 * at 1 thread there is no OpenMP thread to wait).
 */
function torchEnv(): NodeJS.ProcessEnv {
  const all = String(cpus().length);
  return { OMP_WAIT_POLICY: 'PASSIVE', ...process.env, OMP_NUM_THREADS: all, OPENBLAS_NUM_THREADS: all };
}

/** problem.json and the binary arrays it names, in the script's directory. */
function writeProblem(dir: string, problem: Record<string, unknown>, files: Record<string, ArrayBufferView>): void {
  writeFileSync(join(dir, 'problem.json'), JSON.stringify(problem));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** The flat gradients the script wrote (grad.f32). */
function readGradients(dir: string): Float32Array {
  const raw = readFileSync(join(dir, 'grad.f32'));
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** Runs torch_peer.py on a problem: `files` written beside problem.json; the answer and the flat gradients back. */
function runScript(problem: Record<string, unknown>, files: Record<string, ArrayBufferView>, timeoutMs: number): { answer: Record<string, unknown>; grad: Float32Array } {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-torch-'));
  try {
    writeProblem(dir, problem, files);
    const r = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8', timeout: timeoutMs, env: torchEnv() });
    if (r.error !== undefined) throw new Error(`torch_peer.py: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`torch_peer.py exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const answer = JSON.parse(readFileSync(join(dir, 'answer.json'), 'utf8')) as Record<string, unknown>;
    return { answer, grad: readGradients(dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parameters as the files W{l}.f32, b{l}.f32. */
function paramFiles(params: Params): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  params.W.forEach((w, i) => {
    out[`W${i + 1}.f32`] = float32Rows(w as number[][]);
    out[`b${i + 1}.f32`] = Float32Array.from(params.b[i] as number[]);
  });
  return out;
}

/** The flat gradients of the script (W1, b1, W2, b2, … in order) as ∂loss/∂W^l and ∂loss/∂b^l. */
function splitGradients(flat: Float32Array, sizes: readonly number[]): { dW: Matrix[]; db: Matrix[] } {
  const dW: Matrix[] = [];
  const db: Matrix[] = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const w = sizes[l - 1] * sizes[l];
    dW.push({ data: flat.subarray(at, at + w), shape: [sizes[l - 1], sizes[l]] });
    at += w;
    db.push({ data: flat.subarray(at, at + sizes[l]), shape: [sizes[l]] });
    at += sizes[l];
  }
  if (at !== flat.length) throw new Error(`torch_peer.py: ${flat.length} gradient values for ${at} parameters`);
  return { dW, db };
}

export interface TorchTiming {
  readonly threads: number;
  /** The threads of PyTorch's OpenBLAS at this count (set to `threads`), or null where it uses none. */
  readonly blasThreads: number | null;
  readonly medianMs: number;
  readonly samples: number;
}

/** A session of the SGD workloads: gradients now, the timings PyTorch took of its own steps. */
export interface TorchSession extends PeerSession {
  /** ms per training step at each thread count (PyTorch timed them itself). */
  readonly timings: readonly TorchTiming[];
}

export const torchPeer: Peer = {
  name: 'torch',

  async start() {
    const v = torchVersion();
    if (!v.ok) throw new Error(v.reason);
    return `PyTorch ${v.version} (CPU, ${PYTHON} subprocess), timed by itself at ${torchThreads().join(' and ')} thread(s), OpenBLAS's too`;
  },

  load(spec: NetworkSpec, params: Params, batch: Batch, lr: number): TorchSession {
    const activations = new Set(hiddenActivations(spec));
    const activation = activations.size === 0 ? 'relu' : [...activations][0];
    if (activations.size > 1 || !ACTIVATIONS.includes(activation)) throw new Error(`torch peer: hidden activation ${[...activations].join(', ')}; it runs ${ACTIVATIONS.join(', ')}`);
    const problem = { mode: 'steps', sizes: spec.sizes, activation, batch: batch.N, lr, threads: torchThreads(), minSamples: 20, maxSeconds: 3 };
    const files = { ...paramFiles(params), 'x.f32': Float32Array.from(batch.x), 'labels.i32': batch.labels };
    const { answer, grad } = runScript(problem, files, 300_000);
    const g = splitGradients(grad, spec.sizes);
    const gradients: PeerGradients = { loss: answer.loss as number, dW: g.dW, db: g.db };
    const t = answer.timings as Record<string, { medianMs: number; samples: number; blasThreads: number | null }>;
    return {
      timings: Object.entries(t).map(([threads, x]) => ({ threads: Number(threads), blasThreads: x.blasThreads, medianMs: x.medianMs, samples: x.samples })),
      gradients: () => gradients,
      step: () => {
        throw new Error('torch peer: PyTorch times its own steps in its subprocess; read timings');
      },
      dispose() {},
    };
  },
};

/** One epoch of PyTorch's at one thread count. */
export interface TorchEpoch {
  readonly threads: number;
  /** The threads its OpenBLAS ran the products on (set to `threads`), or null where it uses none. */
  readonly blasThreads: number | null;
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly seconds: number;
}

/** PyTorch training the fashion workload in its subprocess, an epoch when asked (see startTorchFashion). */
export interface TorchFashionSession {
  readonly detail: string;
  /** Its gradients of the first batch at the starting parameters, for the check against the manual engine. */
  readonly dW: Matrix[];
  readonly db: Matrix[];
  /** Trains the next epoch at every thread count, one after the other; their figures. */
  epoch(): Promise<TorchEpoch[]>;
  /** Ends the subprocess and removes its files. */
  close(): void;
}

export type TorchFashionStart = { readonly ok: true; readonly session: TorchFashionSession } | { readonly ok: false; readonly reason: string };

/** How long one epoch at every thread count, or the start, may take before the subprocess counts as hung. */
const EPOCH_TIMEOUT_MS = 600_000;

/**
 * Starts PyTorch on the fashion workload: the same parameters, data and batch orders, one model per thread count.
 * It loads the data and answers with its gradients of the first batch; then each epoch() trains one epoch at every
 * thread count, so that the bench can time PyTorch's epochs between its engines' (this machine's speed changes
 * from minute to minute; epochs in turns see the same). Never throws: a failure to start is the reason.
 */
export async function startTorchFashion(p: {
  sizes: readonly number[];
  params: MLPParamsCopy;
  data: ImageDataset;
  orders: readonly Int32Array[];
  epochs: number;
  batch: number;
  lr: number;
  betas: readonly [number, number];
  eps: number;
  threads: readonly number[];
}): Promise<TorchFashionStart> {
  const v = torchVersion();
  if (!v.ok) return { ok: false, reason: `PyTorch skipped: ${v.reason}` };
  const threads = [...new Set(p.threads)];
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-torch-'));
  let child: ChildProcessWithoutNullStreams | null = null;
  try {
    const { train, test } = p.data;
    const orders = new Int32Array(p.epochs * train.count);
    p.orders.forEach((o, e) => orders.set(o, e * train.count));
    const problem = {
      mode: 'fashion', sizes: p.sizes, activation: 'relu', batch: p.batch, lr: p.lr, betas: p.betas, eps: p.eps,
      epochs: p.epochs, trainCount: train.count, testCount: test.count, threads,
    };
    const files: Record<string, ArrayBufferView> = {
      ...paramFiles(p.params),
      'train-x.u8': train.pixels, 'train-labels.i32': train.labels, 'test-x.u8': test.pixels, 'test-labels.i32': test.labels, 'orders.i32': orders,
    };
    writeProblem(dir, problem, files);
    const proc = spawn(PYTHON, [SCRIPT, dir], { env: torchEnv() });
    child = proc;
    const lines = lineReader(proc);
    const ready = JSON.parse(await lines.next(EPOCH_TIMEOUT_MS)) as { ready: boolean; blasThreads: Record<string, number | null>; version: string };
    const g = splitGradients(readGradients(dir), p.sizes);
    const blas = Object.values(ready.blasThreads).some((b) => b !== null) ? ", OpenBLAS's too" : '';
    const session: TorchFashionSession = {
      detail: `PyTorch ${ready.version} (CPU, subprocess) at ${threads.join(' and ')} thread(s)${blas}, its epochs between the engines'`,
      dW: g.dW,
      db: g.db,
      async epoch() {
        proc.stdin.write('epoch\n');
        const answer = JSON.parse(await lines.next(EPOCH_TIMEOUT_MS)) as { runs: Record<string, Omit<TorchEpoch, 'threads' | 'blasThreads'>> };
        return threads.map((t) => ({ threads: t, blasThreads: ready.blasThreads[String(t)] ?? null, ...answer.runs[String(t)] }));
      },
      close() {
        proc.stdin.end();
        proc.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return { ok: true, session };
  } catch (e) {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
    return { ok: false, reason: `PyTorch failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * The subprocess's stdout a line at a time: next() resolves with the next line, or rejects when the process ends
 * first (with the last lines of its stderr) or none comes within `timeoutMs`.
 */
function lineReader(proc: ChildProcessWithoutNullStreams): { next(timeoutMs: number): Promise<string> } {
  const ready: string[] = [];
  let waiting: { resolve: (line: string) => void; reject: (e: Error) => void } | null = null;
  let ended: Error | null = null;
  let stderr = '';
  let pending = '';
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      ready.push(pending.slice(0, i));
      pending = pending.slice(i + 1);
    }
    if (waiting !== null && ready.length > 0) {
      const w = waiting;
      waiting = null;
      w.resolve(ready.shift() as string);
    }
  });
  const finish = (why: string) => {
    ended = new Error(`torch_peer.py ${why}${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-3).join(' | ')}`}`);
    if (waiting !== null) {
      const w = waiting;
      waiting = null;
      w.reject(ended);
    }
  };
  proc.on('error', (e) => finish(`could not run: ${e.message}`));
  proc.on('close', (code, signal) => finish(signal !== null ? `was ended by ${signal}` : `exited with ${code}`));
  return {
    next(timeoutMs) {
      if (ready.length > 0) return Promise.resolve(ready.shift() as string);
      if (ended !== null) return Promise.reject(ended);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = null;
          reject(new Error(`torch_peer.py gave no answer in ${timeoutMs / 1000} s`));
        }, timeoutMs);
        waiting = {
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
      });
    },
  };
}
