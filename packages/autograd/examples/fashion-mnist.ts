// Fashion-MNIST (Zalando's 28×28 clothing images, 10 classes) with the habits of a PyTorch training script: a
// DataLoader, an MLP with Dropout, AdamW with a OneCycleLR schedule, gradient clipping, model.train()/eval(), a
// checkpoint (model, optimizer, scheduler and generators) after every epoch that --resume continues from exactly,
// the test accuracy, and the weights exported as safetensors in torch's layout for PyTorch to open.
//
// Data: the IDX files of Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) or any directory of them.
// Run (from the repository root; seeded, so every run prints the same numbers):
//   pnpm exec tsx packages/autograd/examples/fashion-mnist.ts --epochs 3 --subset 10000
//   pnpm exec tsx packages/autograd/examples/fashion-mnist.ts --epochs 3 --stop-after 1   # "interrupted" after epoch 1
//   pnpm exec tsx packages/autograd/examples/fashion-mnist.ts --epochs 3 --resume         # the same result as one run
// --help lists the flags. The exported file loads into the same model in PyTorch, with its Linear layers at the same
// indices of a ModuleList called `layers`: model.load_state_dict(safetensors.torch.load_file(path)) (or, on PyTorch
// 1.13, the reader in fixtures/generate_training_extra.py), and gives the same test accuracy.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Tensor } from '../src/index.ts';
import { crossEntropy, DataLoader, manualSeed, nn, noGrad, optim, Random, saveSafetensors, tensor } from '../src/index.ts';

const { values: flags } = parseArgs({
  options: {
    data: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    epochs: { type: 'string', default: '3' },
    subset: { type: 'string', default: '60000' },
    'batch-size': { type: 'string', default: '128' },
    'max-lr': { type: 'string', default: '0.003' },
    checkpoint: { type: 'string', default: join(tmpdir(), 'tapegrad-fashion-mnist.json') },
    resume: { type: 'boolean', default: false },
    'stop-after': { type: 'string' },
    export: { type: 'string', default: join(tmpdir(), 'tapegrad-fashion-mnist.safetensors') },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`flags: --data DIR  --epochs N (3)  --subset N training images (60000)  --batch-size N (128)  --max-lr X (0.003)
       --checkpoint FILE (saved after every epoch)  --resume (continue from it)  --stop-after N (epochs, to try --resume)
       --export FILE.safetensors (the trained weights, torch layout)`);
  process.exit(0);
}
const int = (name: keyof typeof flags, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
};
const epochs = int('epochs', flags.epochs);
const batchSize = int('batch-size', flags['batch-size']);
const stopAfter = flags['stop-after'] === undefined ? epochs : int('stop-after', flags['stop-after']);

// ── data: IDX files (big-endian header: 0x0000 0x08 ndim, then ndim uint32 sizes, then the bytes) ─────────────
function readIdx(file: string): { dims: number[]; bytes: Uint8Array } {
  const path = [join(flags.data!, file), join(flags.data!, `${file}.gz`)].find(existsSync);
  if (path === undefined) throw new Error(`no ${file}(.gz) in ${flags.data}; install dataset-fashion-mnist or pass --data DIR`);
  let raw = new Uint8Array(readFileSync(path));
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = new Uint8Array(gunzipSync(raw));
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getUint16(0) !== 0 || raw[2] !== 0x08) throw new Error(`${path}: not an IDX file of unsigned bytes`);
  const dims = Array.from({ length: raw[3] }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, bytes: raw.subarray(4 + 4 * dims.length) };
}

/** The first `limit` images as a float32 tensor [N, 784], normalised with the training set's mean and std. */
function load(split: 'train' | 't10k', limit: number): [Tensor, Int32Array] {
  const images = readIdx(`${split}-images-idx3-ubyte`);
  const labels = readIdx(`${split}-labels-idx1-ubyte`);
  const n = Math.min(limit, images.dims[0]);
  const size = images.dims[1] * images.dims[2];
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = (images.bytes[i] / 255 - 0.286) / 0.353;
  return [tensor(x, { shape: [n, size] }), Int32Array.from(labels.bytes.subarray(0, n))];
}

const [xTrain, yTrain] = load('train', int('subset', flags.subset));
const [xTest, yTest] = load('t10k', Infinity);
console.log(`Fashion-MNIST: ${xTrain.shape[0]} training and ${xTest.shape[0]} test images`);

// ── the model, the optimizer, the schedule ─────────────────────────────────────────────────────────────────────
manualSeed(0);
const dropoutRng = new Random(1);
const shuffleRng = new Random(2);
const model = new nn.Sequential(
  new nn.Linear(784, 256),
  new nn.ReLU(),
  new nn.Dropout(0.2, { rng: dropoutRng }),
  new nn.Linear(256, 128),
  new nn.ReLU(),
  new nn.Dropout(0.2, { rng: dropoutRng }),
  new nn.Linear(128, 10),
);
const loader = new DataLoader([xTrain, yTrain], { batchSize, shuffle: true, rng: shuffleRng, dropLast: true });
const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
const scheduler = new optim.lrScheduler.OneCycleLR(opt, { maxLr: Number(flags['max-lr']), epochs, stepsPerEpoch: loader.length });
console.log(`model: ${nn.utils.countParameters(model.parameters())} parameters; ${loader.length} batches of ${batchSize} per epoch`);

let startEpoch = 1;
if (flags.resume) {
  const saved = JSON.parse(readFileSync(flags.checkpoint!, 'utf8'));
  model.loadStateDict(saved.model);
  opt.loadStateDict(saved.optimizer); // after making the scheduler: this puts back the lr and β₁ it had set
  scheduler.loadStateDict(saved.scheduler);
  dropoutRng.setState(saved.dropoutRng);
  shuffleRng.setState(saved.shuffleRng);
  startEpoch = saved.epoch + 1;
  console.log(`resumed from ${flags.checkpoint} after epoch ${saved.epoch}`);
}

/** The fraction of rows whose largest logit is at the label. */
function accuracy(x: Tensor, y: Int32Array): number {
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const [xb, yb] of new DataLoader([x, y], { batchSize: 1000 })) {
      const logits = model.call(xb).data;
      for (let r = 0; r < yb.length; r++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (logits[r * 10 + c] > logits[r * 10 + best]) best = c;
        if (best === yb[r]) correct++;
      }
    }
  });
  return correct / y.length;
}

// ── training ───────────────────────────────────────────────────────────────────────────────────────────────────
for (let epoch = startEpoch; epoch <= Math.min(epochs, stopAfter); epoch++) {
  const started = performance.now();
  model.train();
  let total = 0;
  for (const [x, y] of loader) {
    opt.zeroGrad();
    const loss = crossEntropy(model.call(x), y);
    loss.backward();
    nn.utils.clipGradNorm(model.parameters(), 1.0);
    opt.step();
    scheduler.step();
    total += loss.item();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `epoch ${epoch}: loss ${(total / loader.length).toFixed(4)}, lr ${scheduler.getLastLr()[0].toExponential(2)}, ` +
      `test accuracy ${(100 * accuracy(xTest, yTest)).toFixed(2)}% (${seconds.toFixed(1)} s)`,
  );
  const checkpoint = {
    epoch,
    model: model.stateDict(),
    optimizer: opt.stateDict(),
    scheduler: scheduler.stateDict(),
    dropoutRng: dropoutRng.getState(),
    shuffleRng: shuffleRng.getState(),
  };
  writeFileSync(flags.checkpoint!, JSON.stringify(checkpoint));
}

if (stopAfter < epochs) {
  console.log(`stopped after epoch ${stopAfter}; continue with --resume (checkpoint: ${flags.checkpoint})`);
} else {
  // a fingerprint of the weights: an interrupted and resumed run prints the same one as a straight run
  let checksum = 0;
  for (const p of model.parameters()) for (let i = 0; i < p.size; i++) checksum = (checksum * 31 + p.data[i] * 1e6) % 1e9;
  console.log(`test accuracy ${(100 * accuracy(xTest, yTest)).toFixed(2)}%, weights checksum ${checksum.toFixed(0)}`);
  writeFileSync(flags.export!, saveSafetensors(model, { convention: 'torch', metadata: { source: 'tapegrad fashion-mnist example' } }));
  console.log(`weights for PyTorch (layers.0.weight is out × in): ${flags.export}`);
}
