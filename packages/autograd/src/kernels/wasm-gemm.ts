// The WebAssembly matrix products: operands are copied into the module's linear memory, multiplied
// by the SIMD kernels of assembly/gemm.ts, and the result copied back out. The same module and
// memory also run axpy on large buffers (assembly/elementwise.ts), copied in and out the same way.
//
// Why copy: the engines' tensors are ordinary JS typed arrays, which wasm cannot address. A copy is
// O(mk + kn + mn) against O(mkn) flops, a few per cent at the sizes that reach this path (small
// products stay in JS, see backend.ts). Zero-copy would need every tensor allocated inside the wasm
// memory (and freed by hand or by a FinalizationRegistry): a possible later step.
//
// Two instances of the module, each over its own linear memory (an Arena): `local`, a plain memory,
// for everything run on the calling thread alone, and `shared`, a shared WebAssembly.Memory that the
// worker threads instantiate the module over too, for the products split across them. Why two: V8
// copies into and out of a SharedArrayBuffer word by word (other threads may be writing it), at about
// a third to a half of the speed of a plain copy (scripts/build-wasm.mjs has the figures), and most
// calls are not threaded.
//
// Memory layout, bytes from the module's heap base, laid out afresh for each call:
//   [A][B][C][bias][work 0][work 1]…   each 64-byte aligned; work t is thread t's packing scratch.
// Memories only ever grow (a shared one's growth never detaches the buffers other threads see).
//
// Threads must not cost more than they bring. On a machine other processes load, a worker can be
// preempted holding a chunk, which nobody else can finish (it is half accumulated), and the main
// thread then waits a scheduler time slice. So when a product stalls like that (the wait for the
// workers' last chunks exceeds the main thread's own share), the pool sits out the next 1, 2, 4 …
// 256 threadable products (halving the back-off after each good one), its idle workers sleeping
// at once rather than spinning, so as not to take CPU from the main thread.
import { GemmPool, MAX_CHUNKS, SPIN_US } from './gemm-pool.ts';
import type { FloatArray } from './dtype.ts';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.ts';
import { loadKernelModule } from './wasm-loader.ts';

interface KernelExports {
  allFiniteF32: (x: number, n: number) => number;
  allFiniteF64: (x: number, n: number) => number;
  hadamardF32: BinaryFn;
  hadamardF64: BinaryFn;
  sumRowsF32: AddRowFn;
  sumRowsF64: AddRowFn;
  reluF32: UnaryFn;
  reluF64: UnaryFn;
  reluGradF32: UnaryFn;
  reluGradF64: UnaryFn;
  reluBackF32: BinaryFn;
  reluBackF64: BinaryFn;
  addRowF32: AddRowFn;
  addRowF64: AddRowFn;
  axpyF32: AxpyFn;
  axpyF64: AxpyFn;
  gemmF32: GemmFn;
  gemmF64: GemmFn;
  gemmChunk: (...args: number[]) => void;
  gemmWorkBytes(): number;
  heapBase(): number;
}
type GemmFn = (
  transA: number, transB: number, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number,
) => void;

type AxpyFn = (a: number, x: number, y: number, n: number) => void;
type AddRowFn = (c: number, bias: number, rows: number, cols: number) => void;
type UnaryFn = (x: number, out: number, n: number) => void;
type BinaryFn = (x: number, y: number, out: number, n: number) => void;

/** The element-wise kernels of assembly/elementwise.ts that `WasmGemm.unary` and `binary` run. */
export type UnaryKernelName = 'relu' | 'reluGrad';
export type BinaryKernelName = 'reluBack' | 'hadamard';

const PAGE = 65536;

const align = (bytes: number): number => (bytes + 63) & ~63;

/**
 * Counters for tests and benchmarks: products run, how many were split across threads and into how
 * many chunks in all (workerChunks() says how many of those the workers ran), and back-offs.
 */
export const gemmStats = { calls: 0, threaded: 0, chunks: 0, backoffs: 0 };

const MAX_BACKOFF = 256;

/** Switches for tests: `backoff: false` keeps every threadable product threaded. */
export const gemmTuning = { backoff: true };

/** Chunks of threaded products that worker threads (not the main thread) have run. */
export function workerChunks(): number {
  return instance?.pool?.workerChunks ?? 0;
}

/** One instance of the kernels over one linear memory, with typed views that follow its growth. */
class Arena {
  readonly memory: WasmMemory;
  readonly x: KernelExports;
  readonly base: number;
  private f32: Float32Array;
  private f64: Float64Array;

  constructor(module: WasmModule, shared: boolean) {
    const api = wasmApi as NonNullable<typeof wasmApi>;
    this.memory = new api.Memory({ initial: 64, maximum: 65536, shared });
    const imports = { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } };
    this.x = new api.Instance(module, imports).exports as unknown as KernelExports;
    this.base = align(this.x.heapBase());
    this.f32 = new Float32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
  }

  /** Grows the memory to at least `end` bytes. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    if (this.f32.byteLength < end) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
  }

  /** The view of the memory for elements of `size` bytes (4 or 8). */
  view(size: number): FloatArray {
    return size === 8 ? this.f64 : this.f32;
  }
}

class WasmGemm {
  readonly module: WasmModule;
  /** Whether this is the fused multiply-add build (kernels-fma.wasm). */
  readonly fma: boolean;
  /** Calls run on this thread alone: a plain memory, whose copies are the fast ones. */
  readonly local: Arena;
  /** Products split across threads: a shared memory, made with the pool. */
  private sharedArena: Arena | null = null;
  readonly workBytes: number;
  pool: GemmPool | null = null;
  private skip = 0;
  private backoff = 0;

  constructor(module: WasmModule, local: WasmModule, fma: boolean) {
    this.module = module;
    this.fma = fma;
    this.local = new Arena(local, false);
    this.workBytes = align(this.local.x.gemmWorkBytes());
  }

  private get shared(): Arena {
    this.sharedArena ??= new Arena(this.module, true);
    return this.sharedArena;
  }

  /** The pool of `workers` threads, started (asynchronously) on first request; null for none. */
  private poolOf(workers: number): GemmPool | null {
    if (workers <= 0) return null;
    if (this.pool === null || this.pool.size !== workers) {
      this.pool?.close();
      this.pool = new GemmPool(this.module, this.shared.memory, workers);
    }
    return this.pool;
  }

  /** Starts `workers` worker threads if need be; resolves with how many are ready. */
  whenWorkersReady(workers: number): Promise<number> {
    const pool = this.poolOf(workers);
    return pool === null ? Promise.resolve(0) : pool.whenReady();
  }

  /**
   * out (m×n) = op(a) · op(b), a m×k (k×m if transA), b k×n (n×k if transB), all three the same
   * array type; cut into `chunks` blocks shared among up to `threads` threads when both exceed 1
   * and worker threads are up. With `bias` (n, same type), the bias row is added to every row of
   * the product before it is copied out (z = a W + b in one call); with `relu`, ReLU is applied
   * after that, still inside the module (a = relu(a W + b)).
   */
  gemm(
    transA: boolean, transB: boolean, a: FloatArray, b: FloatArray, out: FloatArray,
    m: number, k: number, n: number, threads: number, chunks: number, bias: FloatArray | null = null, relu = false,
  ): void {
    const size = a.BYTES_PER_ELEMENT;
    const aLen = m * k, bLen = k * n, cLen = m * n;
    const pool = threads > 1 && chunks > 1 ? this.poolOf(threads - 1) : null;
    let parallel = pool !== null && pool.ready() > 0;
    if (parallel && this.skip > 0 && gemmTuning.backoff) {
      // backing off after a stall; with back-off switched off, skips owed from before are forgiven too
      this.skip--;
      parallel = false;
    }
    const arena = parallel ? this.shared : this.local;
    const pa = arena.base;
    const pb = pa + align(aLen * size);
    const pc = pb + align(bLen * size);
    const pbias = pc + align(cLen * size);
    const work = pbias + (bias === null ? 0 : align(n * size));
    arena.ensure(work + (parallel ? (pool as GemmPool).size + 1 : 1) * this.workBytes);
    const view = arena.view(size);
    view.set(a.length === aLen ? a : a.subarray(0, aLen), pa / size);
    view.set(b.length === bLen ? b : b.subarray(0, bLen), pb / size);
    const lda = transA ? m : k;
    const ldb = transB ? k : n;
    const ta = transA ? 1 : 0, tb = transB ? 1 : 0;
    gemmStats.calls++;
    if (parallel) {
      gemmStats.threaded++;
      const job = [size, ta, tb, m, n, k, pa, lda, pb, ldb, pc, n, work, this.workBytes, Math.min(chunks, MAX_CHUNKS - 2)];
      gemmStats.chunks += job[14];
      this.judge(pool as GemmPool, (pool as GemmPool).run(job, arena.x.gemmChunk));
    } else {
      (size === 8 ? arena.x.gemmF64 : arena.x.gemmF32)(ta, tb, m, n, k, pa, lda, pb, ldb, pc, n, work);
    }
    if (bias !== null) {
      view.set(bias.length === n ? bias : bias.subarray(0, n), pbias / size);
      (size === 8 ? arena.x.addRowF64 : arena.x.addRowF32)(pc, pbias, m, n);
    }
    if (relu) (size === 8 ? arena.x.reluF64 : arena.x.reluF32)(pc, pc, cLen);
    out.set(view.subarray(pc / size, pc / size + cLen));
  }

  /** y ← y + a·x (same length and array type), in the SIMD loop of assembly/elementwise.ts: x and y copied in, y back out. */
  axpy(a: number, x: FloatArray, y: FloatArray): void {
    const size = y.BYTES_PER_ELEMENT;
    const n = y.length;
    const L = this.local;
    const px = L.base;
    const py = px + align(n * size);
    L.ensure(py + n * size);
    const view = L.view(size);
    view.set(x.length === n ? x : x.subarray(0, n), px / size);
    view.set(y, py / size);
    (size === 8 ? L.x.axpyF64 : L.x.axpyF32)(a, px, py, n);
    y.set(view.subarray(py / size, py / size + n));
  }

  /** out = f(x) over x.length elements (out as long, same array type), x copied in and out back out. */
  unary(name: UnaryKernelName, x: FloatArray, out: FloatArray): void {
    const size = x.BYTES_PER_ELEMENT;
    const n = x.length;
    const L = this.local;
    const px = L.base;
    const po = px + align(n * size);
    L.ensure(po + n * size);
    const view = L.view(size);
    view.set(x, px / size);
    (size === 8 ? L.x[`${name}F64`] : L.x[`${name}F32`])(px, po, n);
    out.set(view.subarray(po / size, po / size + n));
  }

  /** out = f(x, y) over x.length elements (y and out as long, same array type). */
  binary(name: BinaryKernelName, x: FloatArray, y: FloatArray, out: FloatArray): void {
    const size = x.BYTES_PER_ELEMENT;
    const n = x.length;
    const L = this.local;
    const px = L.base;
    const py = px + align(n * size);
    const po = py + align(n * size);
    L.ensure(po + n * size);
    const view = L.view(size);
    view.set(x, px / size);
    view.set(y.length === n ? y : y.subarray(0, n), py / size);
    (size === 8 ? L.x[`${name}F64`] : L.x[`${name}F32`])(px, py, po, n);
    out.set(view.subarray(po / size, po / size + n));
  }

  /** out (rows × cols) = x + bias, the bias row added to every row (assembly/elementwise.ts addRow). */
  addRow(x: FloatArray, bias: FloatArray, out: FloatArray, rows: number, cols: number): void {
    const size = x.BYTES_PER_ELEMENT;
    const n = rows * cols;
    const L = this.local;
    const px = L.base;
    const pb = px + align(n * size);
    L.ensure(pb + cols * size);
    const view = L.view(size);
    view.set(x.length === n ? x : x.subarray(0, n), px / size);
    view.set(bias.length === cols ? bias : bias.subarray(0, cols), pb / size);
    (size === 8 ? L.x.addRowF64 : L.x.addRowF32)(px, pb, rows, cols);
    out.set(view.subarray(px / size, px / size + n));
  }

  /** out (cols) = Σ_rows x for x (rows × cols), each column summed in row order. */
  sumRows(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
    const size = x.BYTES_PER_ELEMENT;
    const n = rows * cols;
    const L = this.local;
    const px = L.base;
    const po = px + align(n * size);
    L.ensure(po + cols * size);
    const view = L.view(size);
    view.set(x.length === n ? x : x.subarray(0, n), px / size);
    (size === 8 ? L.x.sumRowsF64 : L.x.sumRowsF32)(px, po, rows, cols);
    out.set(view.subarray(po / size, po / size + cols));
  }

  /** Whether none of the first n elements of x is NaN or ±Infinity, x copied in (assembly/elementwise.ts allFinite). */
  allFinite(x: FloatArray, n: number): boolean {
    const size = x.BYTES_PER_ELEMENT;
    const L = this.local;
    const px = L.base;
    L.ensure(px + n * size);
    L.view(size).set(x.length === n ? x : x.subarray(0, n), px / size);
    return (size === 8 ? L.x.allFiniteF64 : L.x.allFiniteF32)(px, n) === 1;
  }

  /** After a threaded product: keep using the workers, or back off if it stalled (see the header). */
  private judge(pool: GemmPool, stalled: boolean): void {
    if (stalled && gemmTuning.backoff) {
      gemmStats.backoffs++;
      this.backoff = Math.min(MAX_BACKOFF, Math.max(1, 2 * this.backoff));
      this.skip = this.backoff;
      pool.setSpin(0);
    } else {
      this.backoff >>= 1;
      pool.setSpin(SPIN_US);
    }
  }
}

let instance: WasmGemm | null | undefined;
let reason: string | null = null;

/** The wasm kernels, instantiated on first use; null (see wasmUnavailableReason) if they cannot be. */
export function wasmGemm(): WasmGemm | null {
  if (instance !== undefined) return instance;
  const loaded = loadKernelModule();
  if (!loaded.ok) {
    reason = loaded.reason;
    instance = null;
    return null;
  }
  try {
    instance = new WasmGemm(loaded.module, loaded.local, loaded.fma);
  } catch (e) {
    reason = `cannot instantiate the wasm kernels: ${(e as Error).message}`;
    instance = null;
  }
  return instance;
}

/** Why the wasm kernels are unavailable, or null if they are available. */
export function wasmUnavailableReason(): string | null {
  wasmGemm();
  return reason;
}
