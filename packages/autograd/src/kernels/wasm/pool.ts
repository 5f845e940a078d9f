// Worker threads for large matrix products and optimizer updates: the main thread and N workers run the same wasm
// module over one shared WebAssembly.Memory, each taking blocks ("chunks") of the output. A job names its chunk
// function by index (POOL_FUNCTIONS): the wasm export that runs chunk i of n.
//
// Synchronous by design (the engines call kernels synchronously). The main thread publishes a job
// in a shared control block and wakes the workers (Atomics.notify); then every thread, the main
// one included, claims chunks with a compare-and-swap on one counter until none are left, and the
// main thread waits (Atomics.wait, allowed on Node's main thread) only for chunks still in flight; a
// browser page's main thread, which may not wait, spins instead (platform.mayBlock).
// Claiming dynamically rather than handing each thread a fixed share matters on a shared machine:
// a worker that is descheduled, or still asleep, just claims nothing, and the product costs at most
// one chunk more than on one thread, instead of a whole scheduler time slice.
//
// Workers are started through the platform (platform/platform.ts), asynchronously, so the first products run on
// one thread until they are up (a browser starts a worker only once the page's thread is idle: initKernels()
// awaits them). A worker is the source of one function that needs no imports, given its data (the compiled module,
// the shared memory, the control block), so Node's worker_threads and a browser's Web Workers run it alike. They
// never keep the process alive (keepAlive(false): at exit Node terminates them mid-wait).
// After a job a worker spins for SPIN_US before sleeping, as BLAS thread pools do: the products of
// a training step come a few hundred microseconds apart, and waking a sleeping thread costs tens to
// hundreds of microseconds (more on a VM, where the idle vCPU has halted). The main thread, waiting
// for chunks in flight, spins only briefly before sleeping: if the worker was preempted, a spinning
// main thread would hold the very core it needs.
//
// Threads must not cost more than they bring. On a machine other processes load, a worker can be
// preempted holding a chunk, which nobody else can finish (it is half accumulated), and the main
// thread then waits a scheduler time slice. So when a product stalls like that (the wait for the
// workers' last chunks exceeds the main thread's own share), the pool sits out the next 1, 2, 4 …
// 256 threadable products (halving the back-off after each good one), its idle workers sleeping
// at once rather than spinning, so as not to take CPU from the main thread.
import { platform } from '#platform';
import type { KernelWorker } from '../platform/platform.ts';
import type { WasmMemory, WasmModule } from './api.ts';

// Control block, Int32 indices; the hot words sit on separate 64-byte lines.
const CLAIM = 0; // (job sequence number << 12) | next unclaimed chunk
const FIN = 16; // chunks finished in the current job
const FAIL = 17; // 1 + the chunk a worker failed on, or 0
const BY_WORKERS = 18; // chunks run by workers, ever (statistics)
const SPIN = 19; // how long (µs) an idle worker spins before sleeping, set by the main thread
const PARAMS = 32; // the job: see PoolJob
const STATE = 64; // per worker: 0 starting, 1 ready, 2 failed
const READY = 1;
const FAILED = 2;
const SEQ_MASK = 0xfffff;
const CHUNK_BITS = 12;
/** Chunks per job stay below this (the claim word keeps 12 bits for the chunk index, 4095 = closed). */
export const MAX_CHUNKS = 1 << CHUNK_BITS;
/** Default spin of an idle worker, µs. */
const SPIN_US = 500;
const MAIN_SPIN_MS = 0.1;
const MAX_BACKOFF = 256;

/**
 * Counters for tests and benchmarks: products run (wasm/gemm.ts), how many were split across threads and into how
 * many chunks in all (GemmPool.workerChunks says how many of those the workers ran), and back-offs.
 */
export const gemmStats = { calls: 0, threaded: 0, chunks: 0, backoffs: 0 };

/** Switches for tests: `backoff: false` keeps every threadable product threaded. */
export const gemmTuning = { backoff: true };

/** The wasm exports a job can run, each called as f(…13 arguments, chunk, chunks); a job names one by index. */
const POOL_FUNCTIONS = ['gemmChunk', 'adamChunk'] as const;
/** A job of the matrix product (gemm.ts). */
export const POOL_GEMM = 0;
/** A job of Adam's update (optimizers.ts in wasm/). */
export const POOL_ADAM = 1;

/**
 * Thirteen arguments of the job's function (for gemmChunk: element size, transA, transB, m, n, k, a, lda, b, ldb,
 * c, ldc, work), the per-thread work-area stride, the chunk count, and the function's index (POOL_GEMM, POOL_ADAM).
 * Thread t (the main thread is 0, worker i is i + 1) gets work + t·stride as its 13th argument.
 */
export type PoolJob = readonly number[];

type ChunkFn = (...args: number[]) => void;

// A worker: the source of a function of its data, which the platform runs in a new thread.
const WORKER_BODY = `({ module, memory, control, index }) => {
const ctl = new Int32Array(control);
let fns;
try {
  const x = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
  fns = ${JSON.stringify(POOL_FUNCTIONS)}.map((name) => x[name]);
} catch (e) {
  Atomics.store(ctl, ${STATE} + index, ${FAILED});
  throw e;
}
Atomics.store(ctl, ${STATE} + index, ${READY});
let seen = 0;
for (;;) {
  let w = Atomics.load(ctl, ${CLAIM});
  if (w >>> ${CHUNK_BITS} === seen) {
    const until = performance.now() + Atomics.load(ctl, ${SPIN}) / 1000;
    while ((w = Atomics.load(ctl, ${CLAIM})) >>> ${CHUNK_BITS} === seen && performance.now() < until);
    while ((w = Atomics.load(ctl, ${CLAIM})) >>> ${CHUNK_BITS} === seen) Atomics.wait(ctl, ${CLAIM}, w);
  }
  const seq = w >>> ${CHUNK_BITS};
  seen = seq;
  // The parameters are read before any claim; a successful claim proves they belong to job seq,
  // since the main thread closes the claim counter (chunk index ${MAX_CHUNKS - 1}) before it
  // rewrites them.
  const p = ${PARAMS};
  const work = ctl[p + 12] + (index + 1) * ctl[p + 13];
  const chunks = ctl[p + 14];
  const chunkFn = fns[ctl[p + 15]];
  const args = [ctl[p], ctl[p + 1], ctl[p + 2], ctl[p + 3], ctl[p + 4], ctl[p + 5], ctl[p + 6],
    ctl[p + 7], ctl[p + 8], ctl[p + 9], ctl[p + 10], ctl[p + 11], work];
  for (;;) {
    w = Atomics.load(ctl, ${CLAIM});
    const chunk = w & ${MAX_CHUNKS - 1};
    if (w >>> ${CHUNK_BITS} !== seq || chunk >= chunks) break;
    if (Atomics.compareExchange(ctl, ${CLAIM}, w, w + 1) !== w) continue;
    try {
      chunkFn(...args, chunk, chunks);
    } catch (e) {
      Atomics.store(ctl, ${FAIL}, chunk + 1);
      Atomics.store(ctl, ${STATE} + index, ${FAILED});
    }
    Atomics.add(ctl, ${BY_WORKERS}, 1);
    Atomics.add(ctl, ${FIN}, 1);
    Atomics.notify(ctl, ${FIN});
    if (Atomics.load(ctl, ${STATE} + index) === ${FAILED}) break;
  }
  if (Atomics.load(ctl, ${STATE} + index) === ${FAILED}) break;
}
}`;

export class KernelPool {
  private readonly ctl: Int32Array;
  private readonly workers: KernelWorker[] = [];
  private readonly dead: boolean[] = [];
  private seq = 0;
  /** Threadable products still to sit out after a stall, and the back-off the last stall set. */
  private skip = 0;
  private backoff = 0;

  constructor(module: WasmModule, memory: WasmMemory, count: number) {
    const control = new SharedArrayBuffer((STATE + count) * 4);
    this.ctl = new Int32Array(control);
    this.ctl[SPIN] = SPIN_US;
    for (let i = 0; i < count; i++) {
      const worker = platform.startWorker(WORKER_BODY, { module, memory, control, index: i });
      worker.keepAlive(false);
      this.dead.push(false);
      worker.onStop(() => {
        this.dead[i] = true;
      });
      this.workers.push(worker);
    }
  }

  /** The number of workers (ready or not): work areas are needed for all of them. */
  get size(): number {
    return this.workers.length;
  }

  /** Chunks run by worker threads since the pool started. */
  get workerChunks(): number {
    return Atomics.load(this.ctl, BY_WORKERS);
  }

  /**
   * Whether the next threadable product may use the workers: some are ready, and the pool is not backing off after
   * a stall (with back-off switched off, skips owed from before are forgiven too).
   */
  admits(): boolean {
    if (this.ready() === 0) return false;
    if (this.skip > 0 && gemmTuning.backoff) {
      this.skip--;
      return false;
    }
    return true;
  }

  /** How many workers can take chunks right now. */
  ready(): number {
    let n = 0;
    for (let i = 0; i < this.workers.length; i++) if (!this.dead[i] && Atomics.load(this.ctl, STATE + i) === READY) n++;
    return n;
  }

  /**
   * Resolves once every worker has started (or failed to), with the number ready. Holds the
   * process open meanwhile: the workers are unref()'d, so without that an await here could outlive
   * the event loop.
   */
  whenReady(): Promise<number> {
    const settled = (): boolean => this.workers.every((_, i) => this.dead[i] || Atomics.load(this.ctl, STATE + i) !== 0);
    for (const w of this.workers) w.keepAlive(true);
    return new Promise<number>((resolve) => {
      const poll = (): void => {
        if (!settled()) {
          setTimeout(poll, 1);
          return;
        }
        for (const w of this.workers) w.keepAlive(false);
        resolve(this.ready());
      };
      poll();
    });
  }

  /**
   * Runs every chunk of `job` (see PoolJob) across this thread and the workers, and returns once
   * all are done. `chunkFn` is this thread's instance of the job's wasm export. If the job stalled (waiting for
   * the workers' last chunks took longer than this thread's share), the pool backs off (see the header).
   */
  run(job: PoolJob, chunkFn: ChunkFn): void {
    const ctl = this.ctl;
    const chunks = job[14];
    if (!(chunks >= 1 && chunks < MAX_CHUNKS - 1)) throw new RangeError(`KernelPool.run: ${chunks} chunks`);
    if (!(job[15] >= 0 && job[15] < POOL_FUNCTIONS.length)) throw new RangeError(`KernelPool.run: no pool function ${job[15]}`);
    // Close the previous job's claim counter before rewriting the parameters: a worker that wakes
    // late may read them half-written, but then finds nothing it can claim.
    Atomics.store(ctl, CLAIM, (this.seq << CHUNK_BITS) | (MAX_CHUNKS - 1));
    for (let i = 0; i < job.length; i++) ctl[PARAMS + i] = job[i];
    Atomics.store(ctl, FIN, 0);
    Atomics.store(ctl, FAIL, 0);
    this.seq = (this.seq + 1) & SEQ_MASK;
    Atomics.store(ctl, CLAIM, this.seq << CHUNK_BITS);
    Atomics.notify(ctl, CLAIM);
    const args = job.slice(0, 13);
    const started = performance.now();
    for (;;) {
      const w = Atomics.load(ctl, CLAIM);
      const chunk = w & (MAX_CHUNKS - 1);
      if (chunk >= chunks) break;
      if (Atomics.compareExchange(ctl, CLAIM, w, w + 1) !== w) continue;
      chunkFn(...args, chunk, chunks);
      Atomics.add(ctl, FIN, 1);
    }
    // Chunks still in flight on workers: spin briefly, then sleep.
    const mine = performance.now() - started;
    let fin = Atomics.load(ctl, FIN);
    const until = performance.now() + MAIN_SPIN_MS;
    while (fin < chunks && performance.now() < until) fin = Atomics.load(ctl, FIN);
    const deadline = performance.now() + 60_000;
    const sleep = platform.mayBlock();
    while (fin < chunks) {
      if (sleep) Atomics.wait(ctl, FIN, fin, 10);
      fin = Atomics.load(ctl, FIN);
      if (fin < chunks && performance.now() > deadline) throw new Error(`${POOL_FUNCTIONS[job[15]]}: a worker thread did not finish its block within 60 s`);
    }
    const stalled = performance.now() - started - mine > mine + 0.05;
    const failed = Atomics.load(ctl, FAIL);
    if (failed !== 0) {
      // A worker trapped: redo its chunk here (which throws if the fault is real) and retire it.
      for (let i = 0; i < this.workers.length; i++) if (Atomics.load(ctl, STATE + i) === FAILED) this.retire(i);
      platform.warn(`tapegrad: a kernel worker thread failed in ${POOL_FUNCTIONS[job[15]]}; its block was recomputed on the main thread`);
      chunkFn(...args, failed - 1, chunks);
    }
    this.judge(stalled);
  }

  /** After a threaded product: keep using the workers, or back off if it stalled. */
  private judge(stalled: boolean): void {
    if (stalled && gemmTuning.backoff) {
      gemmStats.backoffs++;
      this.backoff = Math.min(MAX_BACKOFF, Math.max(1, 2 * this.backoff));
      this.skip = this.backoff;
      Atomics.store(this.ctl, SPIN, 0); // idle workers sleep at once
    } else {
      this.backoff >>= 1;
      Atomics.store(this.ctl, SPIN, SPIN_US);
    }
  }

  /** Stops every worker (they are idle between calls; nothing is in flight). */
  close(): void {
    for (let i = 0; i < this.workers.length; i++) this.retire(i);
  }

  private retire(i: number): void {
    this.dead[i] = true;
    this.workers[i].terminate();
  }
}
