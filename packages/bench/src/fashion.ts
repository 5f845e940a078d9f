import { cpus } from 'node:os';
import { accuracy, crossEntropy, DataLoader, nn, noGrad, optim, Random, Tensor } from '@tapegrad/autograd';
import type { KernelBackend } from '@tapegrad/autograd/kernels';
import { allocateResident, countCorrect, gatherRows, getBackend, getKernelThreads } from '@tapegrad/autograd/kernels';
import { ManualAdam, ManualMLP } from '@tapegrad/manual';
import type { ImageDataset } from './datasets/fashion.ts';
import { diffArrays } from './compare.ts';
import { initParams } from './init.ts';
import { median } from './median.ts';
import type { TorchEpoch, TorchFashionSession } from './peers/torch.ts';
import { startTorchFashion } from './peers/torch.ts';
import type { ProgressSink } from './run.ts';
import { ulpsFloat32 } from './ulps.ts';

// The `fashion` workload: training as a user trains, on a real data set. 784-256-128-10 ReLU, float32, Adam
// (η 1e-3), batches of 128 drawn in a seeded shuffled order from all 60 000 training images, for some epochs; after
// each epoch the test accuracy on the 10 000 test images. Both engines train in lockstep, epoch by epoch on the same
// batches from the same parameters (each engine's epoch by itself, then every step's loss compared): autograd as a
// user writes it (nn.MLP, a DataLoader, optim.Adam), the manual engine with ManualAdam, the same update kernel on its
// own buffers, so that the two stay identical; at every epoch the largest ulp distance between their parameters says
// whether they did. PyTorch (CPU, subprocess) trains the same network from the same parameters on the same batch
// orders, at one thread and at all of them, each epoch right after the engines', once its gradients on the first
// batch are checked against the manual engine's. Anchor: the Fashion-MNIST README's
// "MLP 256-128-100, no preprocessing: 0.8833".

export const FASHION_SIZES = [784, 256, 128, 10] as const;
export const FASHION_BATCH = 128;
export const FASHION_LR = 1e-3;
const BETAS = [0.9, 0.999] as const;
const EPS = 1e-8;
/** The default seed of the initial parameters and the batch orders. */
export const FASHION_SEED = 6;

export interface FashionOptions {
  readonly data: ImageDataset;
  readonly epochs: number;
  /** Also train PyTorch (when it can run here). */
  readonly torch: boolean;
  /** PyTorch's thread counts (default: 1 and all of this machine's). */
  readonly torchThreads?: readonly number[];
  readonly progress?: ProgressSink;
  /** Seed of the initial parameters and of the batch orders (default FASHION_SEED). */
  readonly seed?: number;
}

export interface EpochFigures {
  readonly epoch: number;
  /** Mean training loss over the epoch's batches. */
  readonly loss: number;
  /** Share of the test images classified right after the epoch. */
  readonly accuracy: number;
  /** Training seconds of the epoch (batches, steps; not the test pass). */
  readonly seconds: number;
}

/** One engine or peer over the whole run. */
export interface FashionRun {
  readonly name: string;
  /** Threads it computed on. */
  readonly threads: number;
  /** PyTorch's: the threads its OpenBLAS ran the products on (set to `threads`), or null where it uses none. */
  readonly blasThreads?: number | null;
  readonly epochs: readonly EpochFigures[];
  /** Loss of every step (engines only: the peers report epoch means). */
  readonly stepLosses?: readonly number[];
  /** Median milliseconds of each phase of a step (gather, forward, backward, optimizer), where measured. */
  readonly phases?: Readonly<Record<string, number>>;
}

export interface FashionResult {
  /** The kernel backend both engines ran on (the process-wide one). */
  readonly backend: KernelBackend;
  /** Seed of the initial parameters and the batch orders. */
  readonly seed: number;
  readonly sizes: readonly number[];
  readonly batch: number;
  readonly lr: number;
  readonly train: number;
  readonly test: number;
  readonly dir: string;
  readonly runs: readonly FashionRun[];
  /** Per epoch, the largest ulp distance between the engines' parameters (0: identical). */
  readonly parameterUlps: readonly number[];
  /** Per step, the ulp distance between the engines' losses. */
  readonly lossUlps: readonly number[];
  /** PyTorch: its version, its gradient check against the manual engine, or why it did not run. */
  readonly torch: { readonly detail: string; readonly check: { readonly pass: boolean; readonly maxRel: number } | null } | null;
  /** The accuracy every run reached, and each run's training seconds to reach it (null: never). */
  readonly timeToAccuracy: { readonly target: number; readonly seconds: Readonly<Record<string, number | null>> };
}

const silent: ProgressSink = { phase() {}, tick() {}, end() {} };

/** A pass's order of the training images, as DataLoader's shuffle draws it (Fisher–Yates from the identity). */
function shuffledOrder(rng: Random, n: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Correct predictions of the manual engine on a split, 1000 images at a time. */
function manualCorrect(net: ManualMLP, x: Float32Array, labels: Int32Array, features: number): number {
  let correct = 0;
  for (let start = 0; start < labels.length; start += 1000) {
    const rows = Math.min(1000, labels.length - start);
    const p = net.forward({ data: x.subarray(start * features, (start + rows) * features), shape: [rows, features] });
    correct += countCorrect(p.data, rows, p.shape[1], labels.subarray(start, start + rows));
  }
  return correct;
}

/** Correct predictions of the autograd model on a split, 1000 images at a time, under noGrad. */
function autogradCorrect(model: nn.Module, x: Float32Array, labels: Int32Array, features: number): number {
  let correct = 0;
  noGrad(() => {
    for (let start = 0; start < labels.length; start += 1000) {
      const rows = Math.min(1000, labels.length - start);
      const logits = model.call(new Tensor(x.subarray(start * features, (start + rows) * features), [rows, features]));
      correct += Math.round(accuracy(logits, labels.subarray(start, start + rows)) * rows);
    }
  });
  return correct;
}

export async function runFashion(options: FashionOptions): Promise<FashionResult> {
  const { data, epochs } = options;
  const progress = options.progress ?? silent;
  const { train, test } = data;
  const sizes = [...FASHION_SIZES];
  const d = sizes[0];
  if (train.features !== d) throw new Error(`fashion: the images in ${data.dir} have ${train.features} pixels; the network takes ${d}`);
  const B = FASHION_BATCH;
  const steps = Math.floor(train.count / B);
  const seed = options.seed ?? FASHION_SEED;
  const init = initParams(sizes, 'relu', seed);

  // the same starting parameters in both engines
  const model = nn.MLP(sizes, 'relu');
  model.parameters().forEach((p, i) => p.data.set(i % 2 === 0 ? init.W[i >> 1].flat() : init.b[i >> 1]));
  const opt = new optim.Adam(model.parameters(), { lr: FASHION_LR, betas: BETAS, eps: EPS });
  const manual = new ManualMLP({ sizes, activation: 'relu', dtype: 'float32', params: init });
  const adam = new ManualAdam({ lr: FASHION_LR, betas: BETAS, eps: EPS });

  // the batch orders: the DataLoader's own shuffle, and the same draws for the manual engine and PyTorch
  const loader = new DataLoader([new Tensor(train.x, [train.count, d]), train.labels], { batchSize: B, shuffle: true, rng: new Random(seed), dropLast: true });
  const orderRng = new Random(seed);
  const orders = Array.from({ length: epochs }, () => shuffledOrder(orderRng, train.count));

  // the manual engine's gradients on the first batch, before training moves its parameters: PyTorch's are checked
  // against them
  let refGrads: { data: Float32Array; shape: readonly number[] }[] = [];
  if (options.torch) {
    const xb = gatherRows(train.x, d, orders[0], 0, B, new Float32Array(B * d));
    const yb = gatherRows(train.labels, 1, orders[0], 0, B, new Int32Array(B));
    const ref = manual.lossAndGrads({ data: xb, shape: [B, d] }, yb);
    refGrads = [...ref.dW, ...ref.db].map((m) => ({ data: Float32Array.from(m.data), shape: m.shape }));
  }

  // PyTorch (its own process, the same initial parameters, the same batch orders) loads the data now, and its
  // gradients of the first batch are checked; it trains each epoch right after the engines' (below)
  let torch: TorchFashionSession | null = null;
  let torchInfo: FashionResult['torch'] = null;
  const torchEpochs = new Map<number, { blasThreads: number | null; epochs: EpochFigures[] }>();
  if (options.torch) {
    progress.phase('PyTorch', 1);
    const started = await startTorchFashion({ sizes, params: init, data, orders, epochs, batch: B, lr: FASHION_LR, betas: BETAS, eps: EPS, threads: options.torchThreads ?? [1, cpus().length] });
    if (started.ok) {
      torch = started.session;
      const got = [...torch.dW, ...torch.db];
      const diffs = got.map((g, i) => diffArrays(g, refGrads[i], 'float32'));
      const check = { pass: diffs.every((x) => x.pass), maxRel: Math.max(...diffs.map((x) => x.maxRel)) };
      torchInfo = { detail: torch.detail, check };
    } else {
      torchInfo = { detail: started.reason, check: null };
    }
    progress.end(torchInfo.detail);
  }

  const xBuf = allocateResident('float32', B * d); // in the kernels' memory, as a DataLoader's batch: read in place
  const yBuf = new Int32Array(B);
  const runs = { autograd: [] as EpochFigures[], manual: [] as EpochFigures[] };
  const stepLosses = { autograd: [] as number[], manual: [] as number[] };
  const phases = { gather: [] as number[], forward: [] as number[], backward: [] as number[], optimizer: [] as number[], manualGather: [] as number[], manualStep: [] as number[] };
  const parameterUlps: number[] = [];
  const lossUlps: number[] = [];
  for (let e = 0; e < epochs; e++) {
    // Each engine trains the epoch by itself, as a user's loop (and PyTorch's process) would: step by step in
    // turns, each engine's steps ran 10-30% slower, paying for the other's 3.8 MB of parameters and Adam state in
    // the caches. The comparison after the epoch (every step's loss, the parameters) keeps them proven identical.
    progress.phase(`epoch ${e + 1}/${epochs}`, 2 * steps);
    const batches = loader[Symbol.iterator]();
    const order = orders[e];
    let tA = 0;
    let tM = 0;
    let sumA = 0;
    let sumM = 0;
    const lossesA = new Float64Array(steps);
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const [x, y] = batches.next().value as [Tensor, Int32Array];
      const t1 = performance.now();
      opt.zeroGrad();
      const loss = crossEntropy(model.call(x), y);
      const t2 = performance.now();
      loss.backward();
      const t3 = performance.now();
      opt.step();
      const t4 = performance.now();
      lossesA[s] = loss.item();
      phases.gather.push(t1 - t0);
      phases.forward.push(t2 - t1);
      phases.backward.push(t3 - t2);
      phases.optimizer.push(t4 - t3);
      tA += t4 - t0;
      if (s % 20 === 0) progress.tick(s, 2 * steps);
    }
    for (let s = 0; s < steps; s++) {
      const t4 = performance.now();
      gatherRows(train.x, d, order, s * B, B, xBuf);
      gatherRows(train.labels, 1, order, s * B, B, yBuf);
      const t5 = performance.now();
      const lossM = manual.adamStep({ data: xBuf, shape: [B, d] }, yBuf, adam);
      const t6 = performance.now();
      phases.manualGather.push(t5 - t4);
      phases.manualStep.push(t6 - t5);
      tM += t6 - t4;
      sumA += lossesA[s];
      sumM += lossM;
      stepLosses.autograd.push(lossesA[s]);
      stepLosses.manual.push(lossM);
      lossUlps.push(ulpsFloat32(lossesA[s], lossM));
      if (s % 20 === 0) progress.tick(steps + s, 2 * steps);
    }
    const accA = autogradCorrect(model, test.x, test.labels, d) / test.count;
    const accM = manualCorrect(manual, test.x, test.labels, d) / test.count;
    runs.autograd.push({ epoch: e + 1, loss: sumA / steps, accuracy: accA, seconds: tA / 1000 });
    runs.manual.push({ epoch: e + 1, loss: sumM / steps, accuracy: accM, seconds: tM / 1000 });
    const mp = manual.getParams();
    let worst = 0;
    model.parameters().forEach((p, i) => {
      const want = i % 2 === 0 ? mp.W[i >> 1].flat() : mp.b[i >> 1];
      for (let j = 0; j < want.length; j++) worst = Math.max(worst, ulpsFloat32(p.data[j], want[j]));
    });
    parameterUlps.push(worst);
    let torchSaid = '';
    if (torch !== null) {
      try {
        const got: TorchEpoch[] = await torch.epoch();
        for (const r of got) {
          const run = torchEpochs.get(r.threads) ?? { blasThreads: r.blasThreads, epochs: [] };
          run.epochs.push({ epoch: r.epoch, loss: r.loss, accuracy: r.accuracy, seconds: r.seconds });
          torchEpochs.set(r.threads, run);
        }
        torchSaid = got.map((r) => `, PyTorch ×${r.threads} ${(100 * r.accuracy).toFixed(2)}% in ${r.seconds.toFixed(1)} s`).join('');
      } catch (err) {
        // its figures so far are kept; the reason replaces its detail
        torchInfo = { detail: `PyTorch failed after ${e} epoch(s): ${err instanceof Error ? err.message : String(err)}`, check: torchInfo?.check ?? null };
        torch.close();
        torch = null;
      }
    }
    progress.end(`autograd ${(100 * accA).toFixed(2)}% in ${(tA / 1000).toFixed(1)} s, manual ${(100 * accM).toFixed(2)}% in ${(tM / 1000).toFixed(1)} s${torchSaid}, parameters ${worst} ulps apart`);
  }
  torch?.close();

  const threads = getKernelThreads();
  const med = (xs: number[]) => median(xs);
  const out: FashionRun[] = [
    {
      name: 'autograd',
      threads,
      epochs: runs.autograd,
      stepLosses: stepLosses.autograd,
      phases: { gather: med(phases.gather), forward: med(phases.forward), backward: med(phases.backward), optimizer: med(phases.optimizer) },
    },
    { name: 'manual', threads, epochs: runs.manual, stepLosses: stepLosses.manual, phases: { gather: med(phases.manualGather), step: med(phases.manualStep) } },
  ];
  for (const [t, r] of torchEpochs) out.push({ name: `PyTorch ×${t}`, threads: t, blasThreads: r.blasThreads, epochs: r.epochs });
  return {
    backend: getBackend(),
    seed,
    sizes,
    batch: B,
    lr: FASHION_LR,
    train: train.count,
    test: test.count,
    dir: data.dir,
    runs: out,
    parameterUlps,
    lossUlps,
    torch: torchInfo,
    timeToAccuracy: timeToAccuracy(out),
  };
}

/** The best accuracy that every run reached (at most 0.88, the anchor), and each run's training seconds to reach it. */
export function timeToAccuracy(runs: readonly FashionRun[]): FashionResult['timeToAccuracy'] {
  const best = runs.map((r) => Math.max(...r.epochs.map((e) => e.accuracy)));
  const target = Math.min(0.88, ...best);
  const seconds: Record<string, number | null> = {};
  for (const r of runs) {
    let t = 0;
    seconds[r.name] = null;
    for (const e of r.epochs) {
      t += e.seconds;
      if (e.accuracy >= target) {
        seconds[r.name] = t;
        break;
      }
    }
  }
  return { target, seconds };
}
