import { chmodSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { getBackend, Random } from '@tapegrad/autograd/kernels';
import { describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';
import { runCli } from './cli-run.test-helper.ts';
import { imageDatasetMissing, loadImageDataset } from './datasets/fashion.ts';
import { encodeIdx } from './datasets/idx.ts';
import { fashionTable } from './fashion-report.ts';
import { runFashion, timeToAccuracy } from './fashion.ts';
import { torchVersion } from './peers/torch.ts';
import { scratchDir } from './scratch-dir.test-helper.ts';

// The fashion workload on a small stand-in for Fashion-MNIST (300 training and 60 test images of 784 random bytes,
// labels from the images' brightness so that there is something to learn), gzipped as Debian ships the real one.

function writeImages(dir: string, train: number, test: number): void {
  const rng = new Random(5);
  for (const [split, n] of [['train', train], ['t10k', test]] as const) {
    const pixels = Uint8Array.from({ length: n * 784 }, () => rng.int(256));
    const labels = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < 784; j++) s += pixels[i * 784 + j];
      return Math.max(0, Math.min(9, Math.floor((s / 784 - 120) / 1.6))); // the mean byte is 127.5 ± 2.6
    });
    writeFileSync(join(dir, `${split}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, 28, 28], pixels)));
    writeFileSync(join(dir, `${split}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx([n], labels)));
  }
}

describe('the fashion data', () => {
  it('says what is missing, and reads both splits with pixels / 255 in float32', () => {
    const dir = scratchDir('fashion-data');
    expect(imageDatasetMissing(join(dir, 'nope'))).toMatch(/nope does not exist \(install Debian's dataset-fashion-mnist, or pass --data DIR\)/);
    expect(imageDatasetMissing(dir)).toMatch(/has no train images \(looked for train-images-idx3-ubyte, /);
    writeImages(dir, 20, 7);
    expect(imageDatasetMissing(dir)).toBeNull();
    const ds = loadImageDataset(dir);
    expect([ds.train.count, ds.test.count, ds.train.features]).toEqual([20, 7, 784]);
    expect(ds.train.x[5]).toBe(Math.fround(ds.train.pixels[5] / 255));
    expect(ds.test.labels).toBeInstanceOf(Int32Array);
  });
});

describe('the fashion workload', () => {
  it('trains both engines in lockstep, bit-identical, with a test accuracy and time per epoch for each', async () => {
    const dir = scratchDir('fashion-run');
    writeImages(dir, 300, 60);
    const r = await runFashion({ data: loadImageDataset(dir), epochs: 2, torch: false });
    expect(r.runs.map((x) => x.name)).toEqual(['autograd', 'manual']);
    expect(r.parameterUlps).toEqual([0, 0]);
    expect(r.lossUlps).toHaveLength(4); // two steps of 128 per epoch
    expect(r.lossUlps.every((u) => u === 0)).toBe(true);
    const [a, m] = r.runs;
    expect(a.epochs.map((e) => e.accuracy)).toEqual(m.epochs.map((e) => e.accuracy));
    for (const e of [...a.epochs, ...m.epochs]) {
      expect(e.seconds).toBeGreaterThan(0);
      expect(e.loss).toBeGreaterThan(0);
      expect(e.accuracy).toBeGreaterThanOrEqual(0);
    }
    expect(Object.keys(a.phases ?? {})).toEqual(['gather', 'forward', 'backward', 'optimizer']);
  }, 60_000);

  const torch = torchVersion();
  it.skipIf(!torch.ok)(`PyTorch trains the same batches from the same parameters, its gradients checked first${torch.ok ? '' : ` (skipped: ${torch.reason})`}`, async () => {
    const dir = scratchDir('fashion-torch');
    writeImages(dir, 300, 60);
    const said: string[] = [];
    const progress = { phase() {}, tick() {}, end: (summary: string) => said.push(summary) };
    // one thread and two (where the machine has two: OpenBLAS's pool is capped at its cores)
    const threads = [...new Set([1, Math.min(2, cpus().length)])];
    const r = await runFashion({ data: loadImageDataset(dir), epochs: 2, torch: true, torchThreads: threads, progress });
    expect(r.torch?.check?.pass).toBe(true);
    expect(r.torch?.check?.maxRel).toBeLessThan(1e-4);
    expect(r.runs.map((x) => x.name)).toEqual(['autograd', 'manual', ...threads.map((n) => `PyTorch ×${n}`)]);
    const t = r.runs.find((x) => x.name === 'PyTorch ×1')!;
    // a thread count is its products' too: Debian's torch runs them on OpenBLAS, whose own pool
    // torch.set_num_threads leaves at every core
    expect(r.runs.slice(2).map((x) => [x.blasThreads, x.epochs.map((e) => e.epoch)])).toEqual(threads.map((n) => [n, [1, 2]]));
    // its epochs run between the engines': each epoch's line has PyTorch's figures of that epoch
    const epochLines = said.filter((x) => x.startsWith('autograd '));
    expect(epochLines).toHaveLength(2);
    const torchSaid = threads.map((n) => `, PyTorch ×${n} [\\d.]+% in [\\d.]+ s`).join('');
    for (const line of epochLines) expect(line).toMatch(new RegExp(`${torchSaid}, parameters 0 ulps apart$`));
    // the same two steps from the same start: PyTorch's mean loss agrees with the engines' to float32 rounding
    expect(Math.abs(t.epochs[0].loss - r.runs[0].epochs[0].loss)).toBeLessThan(1e-4);
    // the summary gives both ratios to one-thread PyTorch: to the accuracy (where both reach one) and per epoch
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const perEpoch = ratio(med(r.runs[0].epochs.map((e) => e.seconds)), med(t.epochs.map((e) => e.seconds)));
    expect(fashionTable(r)).toMatch(new RegExp(`autograd / PyTorch on one thread: (time to [\\d.]+% [\\d.]+, )?median time an epoch ${perEpoch.replace('.', '\\.')}`));
  }, 120_000);

  it('a PyTorch that dies keeps the engines running: its reason, with what it printed, replaces its rows', async () => {
    // an interpreter that says it has torch, then fails on the peer's script after one line of output
    const dir = scratchDir('fashion-torch-dies');
    writeImages(dir, 260, 30);
    const python = join(dir, 'python3');
    writeFileSync(python, '#!/bin/sh\nif [ "$1" = "-c" ]; then echo 9.9.9; exit 0; fi\necho "RuntimeError: out of memory" >&2\nexit 3\n');
    chmodSync(python, 0o755);
    vi.stubEnv('TAPEGRAD_PYTHON', python);
    vi.resetModules();
    try {
      const { runFashion: run } = await import('./fashion.ts');
      const r = await run({ data: loadImageDataset(dir), epochs: 1, torch: true, torchThreads: [1] });
      expect(r.runs.map((x) => x.name)).toEqual(['autograd', 'manual']);
      expect(r.torch?.detail).toMatch(/^PyTorch failed: torch_peer\.py exited with 3: RuntimeError: out of memory/);
      expect(r.torch?.check).toBeNull();
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  }, 60_000);

  it('a seed gives its own initial parameters and batch orders, and the same seed the same run', async () => {
    const dir = scratchDir('fashion-seed');
    writeImages(dir, 260, 30);
    const data = loadImageDataset(dir);
    const losses = async (seed?: number) => {
      const r = await runFashion({ data, epochs: 1, torch: false, seed });
      return r.runs[0].stepLosses;
    };
    const six = await losses();
    expect(await losses(6)).toEqual(six);
    const seven = await losses(7);
    expect(seven).not.toEqual(six);
    expect(await losses(7)).toEqual(seven);
  }, 60_000);

  it('time to accuracy: the best accuracy every run reached (at most 0.88), and the training seconds to reach it', () => {
    const run = (name: string, acc: number[], s: number) => ({ name, threads: 1, epochs: acc.map((accuracy, i) => ({ epoch: i + 1, loss: 1, accuracy, seconds: s })) });
    const t = timeToAccuracy([run('a', [0.8, 0.85, 0.86], 2), run('b', [0.84, 0.9], 5)]);
    expect(t.target).toBe(0.86);
    expect(t.seconds).toEqual({ a: 6, b: 10 });
    expect(timeToAccuracy([run('a', [0.89, 0.9], 1)]).target).toBe(0.88);
  });
});

describe('pnpm bench --workload fashion', () => {
  it('runs on --data DIR and prints its tables; without the data it is a usage error naming what is missing', async () => {
    const dir = scratchDir('fashion-cli');
    writeImages(dir, 260, 30);
    const r = await runCli(main, '--workload', 'fashion', '--data', dir, '--epochs', '1', '--no-details');
    expect(r.code).toBe(0);
    const before = getBackend();
    expect(r.out).toContain(`fashion: the engines' parameters stayed bit-identical over 1 epochs on the ${before} kernels`);
    expect(r.out).toMatch(/│ autograd +│ \d+ +│ [\d.]+ s/);
    // --backend reaches fashion's engines too (they follow the process-wide backend, set for the run and restored)
    const js = await runCli(main, '--workload', 'fashion', '--data', dir, '--epochs', '1', '--no-details', '--backend', 'js');
    expect(js.out).toMatch(/fashion: the engines' parameters stayed bit-identical over 1 epochs on the js kernels/);
    expect(getBackend()).toBe(before);
    for (const line of r.out.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    const missing = await runCli(main, '--workload', 'fashion', '--data', join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--workload fashion needs Fashion-MNIST: .*nope does not exist/);
  }, 60_000);
});
