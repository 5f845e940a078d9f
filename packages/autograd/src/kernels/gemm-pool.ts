// Worker threads for large matrix products: the main thread and N workers each run the same wasm
// module over one shared WebAssembly.Memory, on disjoint blocks of the output.
//
// Synchronous by design (the engines call kernels synchronously): the main thread writes a job into
// a shared control block and bumps its sequence number (Atomics.notify), runs its own block, then
// waits on the worker's done counter (Atomics.wait is allowed on Node's main thread). Workers start
// asynchronously, so a product issued before they are ready simply runs on one thread. Workers are
// unref()'d, so they never keep the process alive: at exit Node terminates them mid-Atomics.wait.
//
// After a job a worker spins for SPIN_MS before going to sleep: the products of one training step
// come a few hundred microseconds apart, and a futex wake-up costs tens of microseconds.
import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './wasm-api.ts';

// Control block, one 128-byte slot (its own cache lines) per worker, in Int32 units.
const SLOT = 32;
const SEQ = 0; // jobs posted (main writes)
const DONE = 1; // jobs finished (worker writes)
const STATE = 2; // 0 starting, 1 ready, 2 failed
const PARAMS = 4; // dtype size, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work
const READY = 1;
const FAILED = 2;
const SPIN_MS = 0.5;

/** One call of the wasm gemm: the argument list of gemmF32/gemmF64, with the element size first. */
export type GemmJob = readonly [
  size: number, transA: number, transB: number, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number,
];

// CommonJS, evaluated by the Worker constructor: no file to resolve, so it runs the same under
// node, tsx and vitest.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index } = workerData;
const ctl = new Int32Array(control, index * ${SLOT * 4}, ${SLOT});
let x;
try {
  x = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
} catch (e) {
  Atomics.store(ctl, ${STATE}, ${FAILED});
  Atomics.notify(ctl, ${DONE});
  throw e;
}
Atomics.store(ctl, ${STATE}, ${READY});
let seen = 0;
for (;;) {
  let seq = Atomics.load(ctl, ${SEQ});
  if (seq === seen) {
    const until = performance.now() + ${SPIN_MS};
    while ((seq = Atomics.load(ctl, ${SEQ})) === seen && performance.now() < until);
    while ((seq = Atomics.load(ctl, ${SEQ})) === seen) Atomics.wait(ctl, ${SEQ}, seen);
  }
  seen = seq;
  const p = ${PARAMS};
  try {
    (ctl[p] === 8 ? x.gemmF64 : x.gemmF32)(ctl[p + 1], ctl[p + 2], ctl[p + 3], ctl[p + 4], ctl[p + 5],
      ctl[p + 6], ctl[p + 7], ctl[p + 8], ctl[p + 9], ctl[p + 10], ctl[p + 11], ctl[p + 12]);
  } catch (e) {
    Atomics.store(ctl, ${STATE}, ${FAILED});
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

export class GemmPool {
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly dead: boolean[] = [];

  constructor(module: WasmModule, memory: WasmMemory, count: number) {
    const control = new SharedArrayBuffer(Math.max(1, count) * SLOT * 4);
    this.ctl = new Int32Array(control);
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, index: i } });
      worker.unref();
      this.dead.push(false);
      const markDead = (): void => {
        this.dead[i] = true;
      };
      worker.on('error', markDead);
      worker.on('exit', markDead);
      this.workers.push(worker);
    }
  }

  /** How many workers, counted from the first, can take a job right now. */
  ready(): number {
    let n = 0;
    while (n < this.workers.length && !this.dead[n] && Atomics.load(this.ctl, n * SLOT + STATE) === READY) n++;
    return n;
  }

  /**
   * Resolves once every worker has started (or failed to), with the number ready. Holds the
   * process open meanwhile: the workers are unref()'d, so without that an await here could outlive
   * the event loop.
   */
  whenReady(): Promise<number> {
    const settled = (): boolean => this.workers.every((_, i) => this.dead[i] || Atomics.load(this.ctl, i * SLOT + STATE) !== 0);
    for (const w of this.workers) w.ref();
    return new Promise<number>((resolve) => {
      const poll = (): void => {
        if (!settled()) {
          setTimeout(poll, 1);
          return;
        }
        for (const w of this.workers) w.unref();
        resolve(this.ready());
      };
      poll();
    });
  }

  /** Hands `job` to worker `i` (which must be ready). Returns the sequence number to wait for. */
  post(i: number, job: GemmJob): number {
    const base = i * SLOT;
    for (let p = 0; p < job.length; p++) this.ctl[base + PARAMS + p] = job[p];
    const seq = Atomics.add(this.ctl, base + SEQ, 1) + 1;
    Atomics.notify(this.ctl, base + SEQ);
    return seq;
  }

  /** Blocks until worker `i` has finished job `seq`. Returns false if the job failed. */
  wait(i: number, seq: number): boolean {
    const base = i * SLOT;
    let done = Atomics.load(this.ctl, base + DONE);
    const deadline = performance.now() + 60_000;
    while (done !== seq) {
      if (Atomics.load(this.ctl, base + STATE) === FAILED) return false;
      // The worker's block was sized to finish with ours: spin briefly before sleeping.
      for (let spin = 0; spin < 2000 && done !== seq; spin++) done = Atomics.load(this.ctl, base + DONE);
      if (done === seq) break;
      Atomics.wait(this.ctl, base + DONE, done, 100);
      done = Atomics.load(this.ctl, base + DONE);
      if (performance.now() > deadline) throw new Error(`gemm worker ${i} did not answer within 60 s`);
    }
    return Atomics.load(this.ctl, base + STATE) !== FAILED;
  }

  /** Stops every worker (they are idle between calls; nothing is in flight). */
  close(): void {
    for (let i = 0; i < this.workers.length; i++) {
      this.dead[i] = true;
      void this.workers[i].terminate();
    }
  }

  /** Marks worker `i` as unusable (after a failed job). */
  retire(i: number): void {
    this.dead[i] = true;
    void this.workers[i].terminate();
  }
}
