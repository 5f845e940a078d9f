// Micro benchmark of the matrix products, per kernel backend, at the shapes of the four workloads'
// training steps (forward z = aW: A·B; weight gradient aᵀδ: Aᵀ·B; error passed down δWᵀ: A·Bᵀ).
//
//   pnpm exec tsx packages/autograd/scripts/bench-matmul.ts [--dtype float32|float64] [--workload mnist]
//                                                           [--quick] [--crossover] [--step] [--no-js] [--best]
//
// Columns: median milliseconds and GFLOP/s (2·m·k·n / time) for the reference JS kernels ('js'),
// the wasm kernels on one thread ('wasm×1') and on all kernel threads ('wasm×T'), and for the
// dispatching `matmul*` as the engines call it ('auto': JS below WASM_MIN_MACS, threads when big).
// --crossover instead times JS against wasm (one thread) on small products, to place WASM_MIN_MACS;
// --step times all the products of one training step back to back, as an engine issues them.
// The load average is printed before and after: on a shared machine, threads compete with others;
// --best then reports the fastest sample instead of the median.
import { loadavg } from 'node:os';
import {
  allocate,
  type DType,
  getKernelThreads,
  kernelThreadsReady,
  matmul,
  matmulNT,
  matmulTN,
  Random,
  setBackend,
  setKernelThreads,
} from '@tapegrad/autograd/kernels';
import type { FloatArray } from '@tapegrad/autograd/kernels';
import {
  gemmStats,
  matmulRef,
  matmulRefNT,
  matmulRefTN,
  matmulWasm,
  matmulWasmNT,
  matmulWasmTN,
  WASM_MIN_MACS,
  workerChunks,
} from '@tapegrad/autograd/kernels/internal';

type Form = 'NN' | 'TN' | 'NT';
type Kernel = (a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number) => FloatArray;

const WORKLOADS: Record<string, { layers: number[]; batch: number }> = {
  mnist: { layers: [784, 256, 256, 10], batch: 128 },
  wide: { layers: [784, 1024, 1024, 10], batch: 256 },
  spiral: { layers: [2, 64, 64, 3], batch: 256 },
  chapter: { layers: [2, 2, 2, 3], batch: 3 },
};

const KERNELS: Record<string, Record<Form, Kernel>> = {
  js: { NN: matmulRef, TN: matmulRefTN, NT: matmulRefNT },
  wasm: { NN: matmulWasm, TN: matmulWasmTN, NT: matmulWasmNT },
  auto: { NN: matmul, TN: matmulTN, NT: matmulNT },
};

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const best = args.includes('--best');
const dtypes: DType[] = opt('dtype') ? [opt('dtype') as DType] : ['float32', 'float64'];

/** The products of one training step of a layer stack, deduplicated by (form, m, k, n). */
function stepProducts(layers: number[], batch: number): { form: Form; m: number; k: number; n: number; what: string }[] {
  const out: { form: Form; m: number; k: number; n: number; what: string }[] = [];
  for (let l = 1; l < layers.length; l++) {
    const fanIn = layers[l - 1], fanOut = layers[l];
    out.push({ form: 'NN', m: batch, k: fanIn, n: fanOut, what: `z${l} = a${l - 1}·W${l}` });
    out.push({ form: 'TN', m: fanIn, k: batch, n: fanOut, what: `dW${l} = a${l - 1}ᵀ·δ${l}` });
    if (l > 1) out.push({ form: 'NT', m: batch, k: fanOut, n: fanIn, what: `δ${l - 1} ∝ δ${l}·W${l}ᵀ` });
  }
  return out;
}

function operands(dtype: DType, form: Form, m: number, k: number, n: number): { a: FloatArray; b: FloatArray; out: FloatArray } {
  const rng = new Random(1234);
  const fill = (x: FloatArray): FloatArray => {
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform() - 0.5;
    return x;
  };
  // Sizes are the same for every form: a has m·k elements, b has k·n.
  void form;
  return { a: fill(allocate(dtype, m * k)), b: fill(allocate(dtype, k * n)), out: allocate(dtype, m * n) };
}

/** Median (or, with --best, fastest) ms per call: warm up, then time batches of calls lasting ≥ 2 ms each. */
function time(fn: () => void, budgetMs: number): number {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= 2 || calls >= 1 << 20) break;
    calls *= 2;
  }
  const warmEnd = performance.now() + Math.min(budgetMs / 4, 200);
  while (performance.now() < warmEnd) fn();
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (samples.length < 5 || (performance.now() < end && samples.length < 41)) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push((performance.now() - t0) / calls);
  }
  samples.sort((x, y) => x - y);
  return best ? samples[0] : samples[samples.length >> 1];
}

const fmt = (ms: number, flops: number): string => `${ms.toFixed(ms < 1 ? 4 : 2).padStart(8)} ${(flops / ms / 1e6).toFixed(1).padStart(6)}`;

async function main(): Promise<void> {
  setBackend('wasm');
  const threads = getKernelThreads();
  const ready = await kernelThreadsReady();
  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`node ${process.version}, kernel threads ${ready}/${threads}, WASM_MIN_MACS ${WASM_MIN_MACS}, load average ${load()}; ${best ? 'fastest' : 'median'} ms and GFLOP/s`);
  process.on('exit', () => {
    const { calls, threaded, chunks, backoffs } = gemmStats;
    console.log(`\nload average ${load()}; wasm products ${calls}, threaded ${threaded}, worker ran ${workerChunks()} of their ${chunks} chunks, back-offs after a stall ${backoffs}`);
  });
  if (args.includes('--crossover')) return crossover();
  if (args.includes('--step')) return step();
  const names = Object.keys(WORKLOADS).filter((w) => !opt('workload') || w === opt('workload'));
  const budget = quick ? 150 : 600;
  for (const dtype of dtypes) {
    console.log(`\n${dtype}`);
    console.log(`${'workload'.padEnd(8)} ${'product'.padEnd(22)} form ${'m×k×n'.padEnd(15)} ${'js'.padStart(15)} ${'wasm×1'.padStart(15)} ${`wasm×${threads}`.padStart(15)} ${'auto'.padStart(15)}`);
    for (const name of names) {
      const { layers, batch } = WORKLOADS[name];
      for (const { form, m, k, n, what } of stepProducts(layers, batch)) {
        const { a, b, out } = operands(dtype, form, m, k, n);
        const flops = 2 * m * k * n;
        const cells: string[] = [];
        // JS on the widest products takes ~1 s a call: time it once there, and skip it with --no-js.
        if (args.includes('--no-js')) cells.push(' '.repeat(15));
        else cells.push(fmt(time(() => KERNELS.js[form](a, b, out, m, k, n), m * k * n > 1e8 ? 1 : budget), flops));
        setKernelThreads(1);
        cells.push(fmt(time(() => KERNELS.wasm[form](a, b, out, m, k, n), budget), flops));
        setKernelThreads(threads);
        cells.push(fmt(time(() => KERNELS.wasm[form](a, b, out, m, k, n), budget), flops));
        cells.push(fmt(time(() => KERNELS.auto[form](a, b, out, m, k, n), budget), flops));
        console.log(`${name.padEnd(8)} ${what.padEnd(22)} ${form.padEnd(4)} ${`${m}×${k}×${n}`.padEnd(15)} ${cells.join(' ')}`);
      }
    }
  }
}

/** All the products of one training step, back to back, per backend: the matmul share of a step. */
function step(): void {
  const threads = getKernelThreads();
  const names = Object.keys(WORKLOADS).filter((w) => !opt('workload') || w === opt('workload'));
  for (const dtype of dtypes) {
    console.log(`\n${dtype}: one step's products, ${best ? 'fastest' : 'median'} ms (GFLOP/s)`);
    console.log(`${'workload'.padEnd(8)} ${'GFLOP'.padStart(7)} ${'js'.padStart(15)} ${'wasm×1'.padStart(15)} ${`wasm×${threads}`.padStart(15)} ${'auto'.padStart(15)}`);
    for (const name of names) {
      const { layers, batch } = WORKLOADS[name];
      const products = stepProducts(layers, batch).map((p) => ({ ...p, ...operands(dtype, p.form, p.m, p.k, p.n) }));
      const flops = products.reduce((s, p) => s + 2 * p.m * p.k * p.n, 0);
      const run = (kind: string) => () => {
        for (const p of products) KERNELS[kind][p.form](p.a, p.b, p.out, p.m, p.k, p.n);
      };
      const cells: string[] = [];
      if (args.includes('--no-js')) cells.push(' '.repeat(15));
      else cells.push(fmt(time(run('js'), flops > 2e8 ? 1 : 300), flops));
      setKernelThreads(1);
      cells.push(fmt(time(run('wasm'), 600), flops));
      setKernelThreads(threads);
      cells.push(fmt(time(run('wasm'), 600), flops));
      cells.push(fmt(time(run('auto'), 600), flops));
      console.log(`${name.padEnd(8)} ${(flops / 1e9).toFixed(4).padStart(7)} ${cells.join(' ')}`);
    }
  }
}

/** JS against one-thread wasm on small products: where does wasm start to win? */
function crossover(): void {
  setKernelThreads(1);
  const shapes: [number, number, number][] = [];
  for (const s of [2, 4, 8, 12, 16, 24, 32, 48, 64]) shapes.push([s, s, s]);
  shapes.push([3, 2, 2], [3, 2, 3], [256, 2, 64], [256, 64, 3], [64, 256, 64], [256, 64, 64], [2, 256, 64], [256, 3, 64], [128, 256, 10]);
  for (const dtype of dtypes) {
    console.log(`\n${dtype}: µs per call, js / wasm×1 (ratio > 1: wasm faster)`);
    for (const [m, k, n] of shapes) {
      const row: string[] = [];
      for (const form of ['NN', 'TN', 'NT'] as Form[]) {
        const { a, b, out } = operands(dtype, form, m, k, n);
        const js = time(() => KERNELS.js[form](a, b, out, m, k, n), 60);
        const wasm = time(() => KERNELS.wasm[form](a, b, out, m, k, n), 60);
        row.push(`${form} ${(js * 1e3).toFixed(2).padStart(8)} ${(wasm * 1e3).toFixed(2).padStart(8)} ${(js / wasm).toFixed(2).padStart(5)}`);
      }
      console.log(`${`${m}×${k}×${n}`.padEnd(12)} macs ${String(m * k * n).padStart(7)}   ${row.join('   ')}`);
    }
  }
}

await main();
