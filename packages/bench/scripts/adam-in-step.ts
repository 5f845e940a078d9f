// Where Adam's time goes in a real training step: the update timed where a training loop runs it (θ, m and v come back
// from memory after the forward and backward passes), the same update run again right after (everything in cache),
// and each parameter's share. The fashion workload's network and recipe (784-256-128-10 ReLU, batches of 128 from
// Fashion-MNIST's training set, Adam with η 1e-3) written as a user's loop; after --steps steps the last --measure
// are timed, medians in ms. Each parameter has an Adam of its own, so that each update can be timed (the same
// arithmetic as one Adam over all six).
//
//   pnpm exec tsx packages/bench/scripts/adam-in-step.ts [--backend wasm|native] [--steps 1500] [--measure 300] [--data DIR]
//
// The "again" column runs each measured step's update twice, so the last --measure steps train on another
// trajectory than the bench's; the first --steps minus --measure do not.
import { parseArgs } from 'node:util';
import { crossEntropy, DataLoader, nn, optim, Random, Tensor } from '@tapegrad/autograd';
import type { KernelBackend } from '@tapegrad/autograd/kernels';
import { getBackend, kernelThreadsReady, setBackend } from '@tapegrad/autograd/kernels';
import { FASHION_MNIST_DIR, imageDatasetMissing, loadImageDataset } from '../src/datasets/fashion.ts';
import { FASHION_BATCH, FASHION_LR, FASHION_SIZES } from '../src/fashion.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    steps: { type: 'string', default: '1500' },
    measure: { type: 'string', default: '300' },
    data: { type: 'string', default: FASHION_MNIST_DIR },
  },
});
const steps = Number(values.steps);
const measure = Number(values.measure);
if (!Number.isInteger(steps) || !Number.isInteger(measure) || measure < 1 || measure > steps) {
  throw new Error(`adam-in-step: --steps and --measure must be integers with 1 ≤ measure ≤ steps; got ${values.steps} and ${values.measure}`);
}
const missing = imageDatasetMissing(values.data);
if (missing !== null) throw new Error(`adam-in-step: ${missing}`);
if (values.backend !== undefined) setBackend(values.backend as KernelBackend);
const threads = await kernelThreadsReady();

const { train } = loadImageDataset(values.data);
const model = nn.MLP([...FASHION_SIZES], 'relu');
const params = model.parameters();
const opts = params.map((p) => new optim.Adam([p], { lr: FASHION_LR }));
const loader = new DataLoader([new Tensor(train.x, [train.count, FASHION_SIZES[0]]), train.labels], {
  batchSize: FASHION_BATCH,
  shuffle: true,
  rng: new Random(6),
  dropLast: true,
});

const t = { gather: [] as number[], forward: [] as number[], backward: [] as number[], adam: [] as number[], again: [] as number[] };
const each = params.map(() => [] as number[]);
let batches = loader[Symbol.iterator]();
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  let next = batches.next();
  if (next.done === true) {
    batches = loader[Symbol.iterator]();
    next = batches.next();
  }
  const [x, y] = next.value as [Tensor, Int32Array];
  const t1 = performance.now();
  for (const opt of opts) opt.zeroGrad();
  const loss = crossEntropy(model.call(x), y);
  const t2 = performance.now();
  loss.backward();
  const t3 = performance.now();
  const timed = s >= steps - measure;
  for (let i = 0; i < opts.length; i++) {
    const a = performance.now();
    opts[i].step();
    if (timed) each[i].push(performance.now() - a);
  }
  const t4 = performance.now();
  if (!timed) continue;
  for (const opt of opts) opt.step();
  t.again.push(performance.now() - t4);
  t.gather.push(t1 - t0);
  t.forward.push(t2 - t1);
  t.backward.push(t3 - t2);
  t.adam.push(t4 - t3);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (x: number): string => x.toFixed(3);
const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
const step = m.gather + m.forward + m.backward + m.adam;
console.log(`backend ${getBackend()}, ${threads} thread(s); ${steps} steps of fashion, the last ${measure} timed (median ms)`);
console.log(`step ${ms(step)}: gather ${ms(m.gather)}, forward ${ms(m.forward)}, backward ${ms(m.backward)}, Adam ${ms(m.adam)} (${((100 * m.adam) / step).toFixed(1)}% of the step)`);
console.log(`Adam again right after, in cache: ${ms(m.again)}`);
console.log(`each parameter in the step: ${params.map((p, i) => `[${p.shape.join(', ')}] ${ms(median(each[i]))}`).join(', ')}`);
