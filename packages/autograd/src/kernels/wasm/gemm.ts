// The wasm matrix product: out (m×n) = op(a) · op(b) (+ a bias row, then ReLU, inside the module), on the calling
// thread in the plain-memory instance, or in the instance over a shared memory when it is split across worker
// threads (pool.ts) or an operand is resident there (a parameter: resident.ts). Why two instances: V8 copies into and
// out of a SharedArrayBuffer word by word (other threads may be writing it), at about a third to a half of the speed
// of a plain copy (scripts/build-wasm.mjs has the figures), and most products are not threaded.
//
// Memory layout, bytes from the arena's scratch start (past the resident blocks): [A][B][C][bias][work 0][work 1]…,
// each 64-byte aligned, less those operands that are resident (used where they are); work t is thread t's packing
// scratch.
import { platform } from '#platform';
import type { FloatArray } from '../dtype.ts';
import { align, type Arena, Layout } from './arena.ts';
import { localArena, sharedArena } from './instance.ts';
import { loadKernelModule } from './module.ts';
import { gemmStats, KernelPool, MAX_CHUNKS, POOL_GEMM } from './pool.ts';

/**
 * A product is split across threads only if each thread gets at least this many multiply-adds:
 * waking a worker and waiting for it costs some tens of microseconds, which a block of ~2M
 * multiply-adds (~0.15 ms at ~30 GFLOP/s) repays.
 */
export const WASM_THREAD_MIN_MACS = 1 << 21;

/**
 * Chunks of a threaded product per thread. Every chunk packs the whole of the operand it does not cut (all of op(A)
 * when the output is cut by columns), so more chunks pack more; what they buy is balance when one thread runs slower.
 * Measured on a 2-vCPU AMD EPYC, one chunk a thread against two, training steps of the autograd engine alternated
 * in one process, paired medians of 21 rounds: mnist-mlp float32 0.963-0.967× (the manual engine 0.968×), float64
 * 0.979×, wide 0.995×, spiral 0.999×; three chunks for two threads (uneven whole tiles) 1.24×.
 */
export const CHUNKS_PER_THREAD = 1;

let threads = defaultThreads();

function defaultThreads(): number {
  const env = Number(platform.setting('TAPEGRAD_THREADS'));
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, Math.min(platform.hardwareThreads(), 8));
}

/** The threads asked for, or one where workers cannot share memory here or the loaded kernels have no shared build. */
function usableThreads(): number {
  if (threads === 1 || platform.threadsUnavailableReason() !== null) return 1;
  const loaded = loadKernelModule();
  return loaded.ok && loaded.module === null ? 1 : threads;
}

/**
 * Threads (this one included) a large wasm product may use. Default: TAPEGRAD_THREADS, else the cores, at most 8;
 * one where worker threads cannot share memory (a browser page that is not cross-origin isolated).
 */
export function getKernelThreads(): number {
  return usableThreads();
}

/** Asks for `n` threads (this one included) for large wasm products; getKernelThreads says how many can be used. */
export function setKernelThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setKernelThreads: expected a positive integer, got ${n}`);
  threads = n;
}

let pool: KernelPool | null = null;
/** The shared instance `pool` runs in. */
let poolArena: Arena | null = null;
let workBytes = 0;

/** The pool of `workers` threads over the shared instance, started (asynchronously) on first request. */
export function poolOf(workers: number): KernelPool {
  const loaded = loadKernelModule();
  const shared = sharedArena();
  if (!loaded.ok || loaded.module === null || shared === null) {
    throw new Error(`the wasm kernels cannot use threads: ${loaded.ok ? 'no shared build was loaded' : loaded.reason}`);
  }
  if (pool === null || pool.size !== workers || poolArena !== shared) {
    pool?.close();
    pool = new KernelPool(loaded.module, shared.memory, workers);
    poolArena = shared;
  }
  return pool;
}

/**
 * Starts the worker threads now (they otherwise start on the first product large enough to use
 * them, which then still runs on one thread) and resolves with the number of threads ready.
 */
export async function kernelThreadsReady(): Promise<number> {
  const usable = usableThreads();
  if (usable <= 1 || !loadKernelModule().ok) return 1;
  return 1 + (await poolOf(usable - 1).whenReady());
}

/** Chunks of threaded products that worker threads (not the main thread) have run. */
export function workerChunks(): number {
  return pool?.workerChunks ?? 0;
}

/**
 * out (m×n) = op(a) · op(b), a m×k (k×m if transA), b k×n (n×k if transB), all three the same array type, whatever
 * the size. With `bias` (n, same type), the bias row is added to every row of the product before it is copied out
 * (z = a W + b in one call); with `relu`, ReLU is applied after that, still inside the module (a = relu(a W + b)).
 * Products that give each of several threads WASM_THREAD_MIN_MACS are cut into CHUNKS_PER_THREAD chunks a thread,
 * claimed dynamically (pool.ts), so that a worker that is late to wake leaves its chunk to the main thread.
 */
export function gemm(
  transA: boolean, transB: boolean, a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number,
  bias: FloatArray | null = null, relu = false,
): FloatArray {
  if (a.constructor !== out.constructor || b.constructor !== out.constructor) {
    throw new Error(`matmul: the wasm backend needs operands of one dtype; got ${a.constructor.name}, ${b.constructor.name} → ${out.constructor.name}`);
  }
  if (bias !== null && bias.constructor !== out.constructor) {
    throw new Error(`matmul: the wasm backend needs a bias of the output's dtype; got ${bias.constructor.name} for ${out.constructor.name}`);
  }
  const local = localArena();
  workBytes ||= align(local.export('gemmWorkBytes')());
  const most = Math.floor((m * k * n) / WASM_THREAD_MIN_MACS);
  const t = most > 1 ? Math.min(usableThreads(), most) : 1;
  const tiles = n >= m ? Math.ceil(n / 8) : Math.ceil(m / 4);
  const chunks = Math.min(CHUNKS_PER_THREAD * t, tiles);
  const workers = t > 1 && chunks > 1 ? poolOf(t - 1) : null;
  const parallel = workers !== null && workers.admits();
  // Operands that live in the shared memory (parameters, batches: resident.ts) are used where they are, so a product
  // on one thread runs there too when that copies less: V8 copies into and out of a shared memory at about half the
  // speed of a plain copy, so the shared instance pays when twice the resident elements outweigh the others.
  const shared = sharedArena();
  const arena = parallel || (shared !== null && sharedPays(shared, [[a, m * k], [b, k * n], [out, m * n], [bias, n]])) ? (shared as Arena) : local;

  const size = a.BYTES_PER_ELEMENT;
  const cLen = m * n;
  const layout = new Layout(arena);
  const pa = layout.place(a, m * k);
  const pb = layout.place(b, k * n);
  // The product is written in place only into an array that overlaps neither factor.
  const outInPlace = arena.holds(out) && !overlaps(arena, out, cLen, a, m * k) && !overlaps(arena, out, cLen, b, k * n);
  const pc = outInPlace ? out.byteOffset : layout.reserve(cLen * size);
  const pbias = bias === null ? 0 : layout.place(bias, n);
  const work = layout.end;
  arena.ensure(work + (parallel ? workers.size + 1 : 1) * workBytes);
  if (!arena.holds(a)) arena.copyIn(a, m * k, pa);
  if (!arena.holds(b)) arena.copyIn(b, k * n, pb);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const ta = transA ? 1 : 0, tb = transB ? 1 : 0;
  gemmStats.calls++;
  if (parallel) {
    const job = [size, ta, tb, m, n, k, pa, lda, pb, ldb, pc, n, work, workBytes, Math.min(chunks, MAX_CHUNKS - 2), POOL_GEMM];
    gemmStats.threaded++;
    gemmStats.chunks += job[14];
    workers.run(job, arena.export('gemmChunk'));
  } else {
    arena.kernel('gemm', size)(ta, tb, m, n, k, pa, lda, pb, ldb, pc, n, work);
  }
  if (bias !== null) {
    if (!arena.holds(bias)) arena.copyIn(bias, n, pbias);
    arena.kernel('addRow', size)(pc, pbias, m, n);
  }
  if (relu) arena.kernel('relu', size)(pc, pc, cLen);
  if (!outInPlace) arena.copyOut(pc, out, cLen);
  return out;
}

/**
 * Whether a product on one thread copies less in the shared instance than in the plain one: a copy in or out of the
 * shared memory costs about two plain ones, a resident operand nothing there and one shared copy in the plain one.
 */
function sharedPays(shared: Arena, operands: readonly (readonly [FloatArray | null, number])[]): boolean {
  let resident = 0;
  let other = 0;
  for (const [x, n] of operands) {
    if (x === null) continue;
    if (shared.holds(x)) resident += n;
    else other += n;
  }
  return resident > 0 && 2 * resident > other;
}

/** Whether out[0..outLen) and x[0..len), both in arena's memory, share bytes. */
function overlaps(arena: Arena, out: FloatArray, outLen: number, x: FloatArray, len: number): boolean {
  const size = out.BYTES_PER_ELEMENT;
  return arena.holds(x) && out.byteOffset < x.byteOffset + len * size && x.byteOffset < out.byteOffset + outLen * size;
}
