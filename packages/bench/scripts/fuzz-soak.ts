// pnpm fuzz: the long form of test/fuzz.test.ts and a soak, on demand.
//   fuzz: random networks (0–5 hidden layers of width 1–64, every activation, batch 1–70, both dtypes, inputs of
//         order 1 or scaled up to 1e30) trained two SGD steps by both engines on both kernel backends, compared bit for bit, for
//         --minutes or --cases; prints architectures tried, disagreements (with their seeds) and non-finite cases.
//   soak: one network per activation trained --soak-steps steps by both engines in lockstep; at every 10k steps the
//         parameters must still be equal bit for bit, and the heap after a full GC is recorded: growth per 10k steps.
// `pnpm fuzz --case <seed>` replays one case (on both backends) and prints where the engines differ.
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import type { ActivationName, DType, KernelBackend } from '@tapegrad/autograd/kernels';
import { ACTIVATION_NAMES, backendUnavailableReason, kernelThreadsReady, setBackend } from '@tapegrad/autograd/kernels';
import { autogradEngine, initParams, makeBatches, manualEngine } from '../src/index.ts';
import { normalDataset } from '../src/datasets/normal.ts';
import type { FlatParams } from '../src/engine.ts';
import { describeCase, fuzzCase, runFuzzCase } from '../src/internal.ts';

const program = new Command('pnpm fuzz')
  .description('Both engines on random networks, bit for bit, and a soak of long training runs (heap growth, agreement).')
  .addOption(new Option('--minutes <m>', 'time for the fuzz (ignored with --cases)').default('2'))
  .addOption(new Option('--cases <n>', 'number of random networks instead of a time budget'))
  .addOption(new Option('--seed <s>', 'seed of the first case (default: a new one each run)'))
  .addOption(new Option('--case <s>', 'replay the case of this seed on both backends and exit'))
  .addOption(new Option('--soak-steps <n>', 'SGD steps per soak network (0: no soak)').default('30000'));
program.parse();
const opts = program.opts<{ minutes: string; cases?: string; seed?: string; case?: string; soakSteps: string }>();

const backends = (['js', 'wasm', 'native'] as const).filter((b): b is KernelBackend => backendUnavailableReason(b) === null);

function replay(seed: number): number {
  let code = 0;
  for (const backend of backends) {
    const o = runFuzzCase(fuzzCase(seed), backend);
    process.stdout.write(`${backend}: ${describeCase(o.case)}: ${o.exact ? 'equal bit for bit' : `DIFFER at ${o.where}`}${o.nonFinite ? ' (non-finite)' : ''}\n`);
    if (!o.exact) code = 1;
  }
  return code;
}

function fuzz(first: number): boolean {
  const budget = opts.cases === undefined ? Number(opts.minutes) * 60_000 : Infinity;
  const cases = opts.cases === undefined ? Infinity : Number(opts.cases);
  const started = performance.now();
  let tried = 0;
  let runs = 0;
  let nonFinite = 0;
  const failures: string[] = [];
  const seen = { hidden: new Set<number>(), activation: new Set<string>(), dtype: new Set<DType>(), maxWidth: 0, maxBatch: 0 };
  while (tried < cases && performance.now() - started < budget) {
    const c = fuzzCase(first + tried);
    tried++;
    seen.hidden.add(c.spec.sizes.length - 2);
    for (const a of typeof c.spec.activation === 'string' ? [c.spec.activation] : c.spec.activation) seen.activation.add(a);
    seen.dtype.add(c.dtype);
    seen.maxWidth = Math.max(seen.maxWidth, ...c.spec.sizes);
    seen.maxBatch = Math.max(seen.maxBatch, c.batch);
    for (const backend of backends) {
      const o = runFuzzCase(c, backend);
      runs++;
      if (o.nonFinite) nonFinite++;
      if (!o.exact) failures.push(`${backend}: ${describeCase(c)} → ${o.where}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `fuzz: ${tried} architectures (seeds ${first}…${first + tried - 1}) × ${backends.join(', ')} = ${runs} runs in ${seconds.toFixed(0)} s; ` +
      `${failures.length} disagreements; ${nonFinite} runs with a non-finite loss or a refused step\n` +
      `  drawn: ${[...seen.hidden].sort().join(', ')} hidden layers; ${[...seen.activation].sort().join(', ')}; ${[...seen.dtype].join(', ')}; ` +
      `widths up to ${seen.maxWidth}, batches up to ${seen.maxBatch}\n`,
  );
  for (const f of failures.slice(0, 20)) process.stdout.write(`  ${f}\n`);
  return failures.length === 0;
}

/** Bytes on the heap after a full collection (run with --expose-gc, as `pnpm fuzz` does). */
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function same(a: FlatParams, b: FlatParams): boolean {
  const all = (p: FlatParams) => [...p.W, ...p.b];
  const [x, y] = [all(a), all(b)];
  return x.every((m, i) => m.data.every((v, j) => Object.is(v, y[i].data[j])));
}

interface SoakRow {
  readonly network: string;
  readonly steps: number;
  readonly equal: boolean;
  readonly nonFinite: number;
  readonly growthKBPer10k: number;
  readonly heapMB: string;
  readonly seconds: number;
}

/** Both engines trained `steps` steps in lockstep on one network, checked and measured every 10k steps. */
function soak(sizes: number[], activation: ActivationName, dtype: DType, batch: number, steps: number, backend: KernelBackend): SoakRow {
  setBackend(backend);
  const spec = { sizes, activation };
  const ds = normalDataset({ count: 16 * batch, features: sizes[0], classes: sizes[sizes.length - 1], seed: 7 });
  const batches = makeBatches(ds, batch, 16, 7);
  const a = autogradEngine(spec, dtype);
  const b = manualEngine(spec, dtype);
  const p = initParams(sizes, activation, 7);
  a.setParams(p);
  b.setParams(p);
  const started = performance.now();
  const heap: number[] = [];
  let equal = true;
  let nonFinite = 0;
  for (let t = 0; t < steps; t++) {
    if (t % 10_000 === 0) {
      heap.push(heapAfterGc());
      equal &&= same(a.getParams(), b.getParams());
    }
    const batch_ = batches[t % batches.length];
    const la = a.step(batch_, 0.05);
    const lb = b.step(batch_, 0.05);
    if (!Number.isFinite(la) || !Number.isFinite(lb)) nonFinite++;
  }
  heap.push(heapAfterGc());
  equal &&= same(a.getParams(), b.getParams());
  // growth per 10k steps: the slope from the second checkpoint on (the first 10k include warm-up: JIT, buffers)
  const later = heap.slice(1);
  const growth = later.length > 1 ? (later[later.length - 1] - later[0]) / (later.length - 1) : 0;
  return {
    network: `${sizes.join('-')} ${activation} ×${batch} ${dtype} ${backend}`,
    steps,
    equal,
    nonFinite,
    growthKBPer10k: growth / 1024,
    heapMB: `${(heap[0] / 2 ** 20).toFixed(1)} → ${(heap[heap.length - 1] / 2 ** 20).toFixed(1)}`,
    seconds: (performance.now() - started) / 1000,
  };
}

async function main(): Promise<number> {
  await kernelThreadsReady();
  if (opts.case !== undefined) return replay(Number(opts.case));
  const first = Number(opts.seed ?? Math.floor(Math.random() * 2 ** 31));
  let ok = fuzz(first);
  const steps = Number(opts.soakSteps);
  if (steps > 0) {
    const table = new Table({ style: { head: [], border: [] }, head: ['soak network', 'steps', 'bit-exact', 'non-finite', 'heap after GC MB', 'growth KB / 10k steps', 's'] });
    const gc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    for (const [i, activation] of ACTIVATION_NAMES.entries()) {
      const dtype: DType = i % 2 === 0 ? 'float32' : 'float64';
      const backend = backends[i % backends.length];
      const r = soak([8, 32, 32, 4], activation, dtype, 16, steps, backend);
      ok &&= r.equal;
      table.push([r.network, r.steps, r.equal ? 'yes' : 'NO', r.nonFinite, r.heapMB, r.growthKBPer10k.toFixed(1), r.seconds.toFixed(0)]);
    }
    process.stdout.write(`soak${gc ? '' : ' (no --expose-gc: heap figures include garbage)'}:\n${table.toString()}\n`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`pnpm fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  },
);
