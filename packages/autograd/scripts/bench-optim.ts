// A user's training step on 784-256-128-10 ReLU (batch 128, float32), split by phase, and the optimizers' updates
// alone over its 235 146 parameters: medians in milliseconds.
//
//   pnpm exec tsx packages/autograd/scripts/bench-optim.ts [--steps N] [--backend js|wasm|native]
//
// Phases of one step, as a training loop written with nn.MLP, optim.Adam and a DataLoader runs them: `gather` (the
// DataLoader drawing the next batch of 128 rows out of 60 000), `forward` (the MLP and cross-entropy), `backward`,
// `opt.step()` for Adam and for SGD with momentum (nn.MLP's parameters and the optimizers' state are resident: in
// the kernels' memory, updated in place). Then the updates by themselves: the kernels adamUpdate and sgdUpdate as
// dispatched on ordinary arrays (copied in and out of the wasm memory above WASM_OPTIMIZER_MIN), on resident θ and
// state with ∇θ copied in (as in a training step), and all resident; and their JS loops. On a shared machine compare
// the ratios within one run.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { crossEntropy, DataLoader, manualSeed, nn, optim, Random, tensor } from '@tapegrad/autograd';
import type { KernelBackend } from '@tapegrad/autograd/kernels';
import { adamScalars, adamUpdate, allocateResident, getBackend, kernelThreadsReady, setBackend, sgdUpdate } from '@tapegrad/autograd/kernels';
import { KERNEL_TABLE } from '@tapegrad/autograd/kernels/internal';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '200' }, backend: { type: 'string' } } });
const steps = Number(values.steps);
if (values.backend !== undefined) setBackend(values.backend as KernelBackend);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (ms: number): string => ms.toFixed(3).padStart(8);

/** Median ms of f over n calls (after 10 to warm up), `before` run untimed ahead of each. */
function time(f: () => void, n = steps, before?: () => void): number {
  for (let i = 0; i < 10; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    before?.();
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const threads = await kernelThreadsReady();
console.log(`backend ${getBackend()}, ${threads} thread(s), ${steps} samples each, load average before: ${loadavg()[0].toFixed(2)}`);

// ── the real step, by phase ──────────────────────────────────────────────────────────────────────────────────────
manualSeed(0);
const rng = new Random(1);
const N = 60000;
const images = new Float32Array(N * 784).map(() => rng.normal());
const labels = Int32Array.from({ length: N }, () => rng.int(10));
const loader = new DataLoader([tensor(images, { shape: [N, 784] }), labels], { batchSize: 128, shuffle: true, rng, dropLast: true });

function phases(makeOpt: (params: ReturnType<typeof model.parameters>) => { step(): void; zeroGrad(): void }, model = nn.MLP([784, 256, 128, 10])) {
  const opt = makeOpt(model.parameters());
  const t = { gather: [] as number[], forward: [] as number[], backward: [] as number[], step: [] as number[], total: [] as number[] };
  let batches = loader[Symbol.iterator]();
  for (let i = 0; i < steps + 10; i++) {
    const t0 = performance.now();
    let next = batches.next();
    if (next.done === true) {
      batches = loader[Symbol.iterator]();
      next = batches.next();
    }
    const [x, y] = next.value;
    const t1 = performance.now();
    opt.zeroGrad();
    const loss = crossEntropy(model.call(x), y);
    const t2 = performance.now();
    loss.backward();
    const t3 = performance.now();
    opt.step();
    const t4 = performance.now();
    if (i < 10) continue;
    t.gather.push(t1 - t0);
    t.forward.push(t2 - t1);
    t.backward.push(t3 - t2);
    t.step.push(t4 - t3);
    t.total.push(t4 - t0);
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
}

const adam = phases((p) => new optim.Adam(p, { lr: 1e-3 }));
const sgd = phases((p) => new optim.SGD(p, { lr: 0.01, momentum: 0.9 }));
console.log('\none step of 784-256-128-10, batch 128 (median ms)');
console.log('            gather  forward backward opt.step    total  step share');
for (const [name, r] of [['Adam', adam], ['SGD+mom', sgd]] as const) {
  console.log(`${name.padEnd(8)}${fmt(r.gather)} ${fmt(r.forward)} ${fmt(r.backward)} ${fmt(r.step)} ${fmt(r.total)}  ${((100 * r.step) / r.total).toFixed(1).padStart(5)}%`);
}

// ── the updates alone, over the same 235 146 parameters ─────────────────────────────────────────────────────────
const sizes = [784 * 256, 256, 256 * 128, 128, 128 * 10, 10];
const buffers = () => sizes.map((n) => new Float32Array(n).map(() => rng.normal() * 0.01));
const [theta, grad, m, b] = [buffers(), buffers(), buffers(), buffers()];
const v = sizes.map((n) => new Float32Array(n).map(() => rng.normal() ** 2 * 1e-4));
/** The same values in resident arrays (plain ones where the kernels have no shared memory or the backend is js). */
const resident = (xs: Float32Array[]) =>
  xs.map((x) => {
    const r = allocateResident('float32', x.length);
    r.set(x);
    return r;
  });
const [rTheta, rGrad, rM, rV, rB] = [resident(theta), resident(grad), resident(m), resident(v), resident(b)];
const s = adamScalars({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, 10, false);
const sg = { lr: 1e-9, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, sign: 1, first: false };
const adamJs = KERNEL_TABLE.adam.js;
const sgdJs = KERNEL_TABLE.sgd.js;
const rows: [string, () => void][] = [
  ['adamUpdate', () => sizes.forEach((_, i) => adamUpdate(theta[i], grad[i], m[i], v[i], null, s))],
  ['  resident θ, m, v', () => sizes.forEach((_, i) => adamUpdate(rTheta[i], grad[i], rM[i], rV[i], null, s))],
  ['  all resident', () => sizes.forEach((_, i) => adamUpdate(rTheta[i], rGrad[i], rM[i], rV[i], null, s))],
  ['adam js loop', () => sizes.forEach((_, i) => adamJs(theta[i], grad[i], m[i], v[i], null, s))],
  ['sgdUpdate (momentum)', () => sizes.forEach((_, i) => sgdUpdate(theta[i], grad[i], b[i], sg))],
  ['  resident θ, b', () => sizes.forEach((_, i) => sgdUpdate(rTheta[i], grad[i], rB[i], sg))],
  ['sgd js loop (momentum)', () => sizes.forEach((_, i) => sgdJs(theta[i], grad[i], b[i], sg))],
];
console.log(`\nthe update of ${sizes.reduce((a, n) => a + n)} float32 parameters (median ms)`);
// "cold": as in a step, where the forward and backward passes have pushed θ, m and v out of the caches (64 MB
// written before each call, untimed)
const evict = new Float32Array(16 << 20);
for (const [name, f] of rows) {
  console.log(`${name.padEnd(24)}${fmt(time(f))}`);
  if (name === '  all resident') console.log(`${'  all resident, cold'.padEnd(24)}${fmt(time(f, Math.min(steps, 100), () => evict.fill(1)))}`);
}
console.log(`\nload average after: ${loadavg()[0].toFixed(2)}`);
