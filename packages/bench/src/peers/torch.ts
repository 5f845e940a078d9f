import { spawnSync } from 'node:child_process';
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

/** Runs torch_peer.py on a problem: `files` written beside problem.json; the answer and the flat gradients back. */
function runScript(problem: Record<string, unknown>, files: Record<string, ArrayBufferView>, timeoutMs: number): { answer: Record<string, unknown>; grad: Float32Array } {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-torch-'));
  try {
    writeFileSync(join(dir, 'problem.json'), JSON.stringify(problem));
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const r = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8', timeout: timeoutMs, env: torchEnv() });
    if (r.error !== undefined) throw new Error(`torch_peer.py: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`torch_peer.py exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const answer = JSON.parse(readFileSync(join(dir, 'answer.json'), 'utf8')) as Record<string, unknown>;
    const raw = readFileSync(join(dir, 'grad.f32'));
    return { answer, grad: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) };
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

export type TorchFashionRun =
  | {
      readonly ok: true;
      readonly detail: string;
      readonly dW: Matrix[];
      readonly db: Matrix[];
      /** Per thread count: its epochs, and the threads PyTorch's OpenBLAS had (null where it uses none). */
      readonly runs: { threads: number; blasThreads: number | null; epochs: { epoch: number; loss: number; accuracy: number; seconds: number }[] }[];
    }
  | { readonly ok: false; readonly reason: string };

/** PyTorch trains the fashion workload: the same parameters, data and batch orders, once per thread count. Never throws. */
export function runTorchFashion(p: {
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
}): TorchFashionRun {
  const v = torchVersion();
  if (!v.ok) return { ok: false, reason: `PyTorch skipped: ${v.reason}` };
  const threads = [...new Set(p.threads)];
  try {
    const { train, test } = p.data;
    const orders = new Int32Array(p.epochs * train.count);
    p.orders.forEach((o, e) => orders.set(o, e * train.count));
    const problem = {
      mode: 'fashion', sizes: p.sizes, activation: 'relu', batch: p.batch, lr: p.lr, betas: p.betas, eps: p.eps,
      epochs: p.epochs, trainCount: train.count, testCount: test.count, threads,
    };
    const files = {
      ...paramFiles(p.params),
      'train-x.u8': train.pixels, 'train-labels.i32': train.labels, 'test-x.u8': test.pixels, 'test-labels.i32': test.labels, 'orders.i32': orders,
    };
    const { answer, grad } = runScript(problem, files, 3_600_000);
    const g = splitGradients(grad, p.sizes);
    const blas = answer.blasThreads as Record<string, number | null>;
    const runs = Object.entries(answer.runs as Record<string, { epoch: number; loss: number; accuracy: number; seconds: number }[]>).map(([t, epochs]) => ({ threads: Number(t), blasThreads: blas[t], epochs }));
    return { ok: true, detail: `PyTorch ${v.version} (CPU, subprocess) at ${threads.join(' and ')} thread(s)${runs.some((r) => r.blasThreads !== null) ? ", OpenBLAS's too" : ''}`, dW: g.dW, db: g.db, runs };
  } catch (e) {
    return { ok: false, reason: `PyTorch failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
