// The WebAssembly matrix products: operands are copied into the module's linear memory, multiplied
// by the SIMD kernels of assembly/gemm.ts, and the result copied back out.
//
// Why copy: the engines' tensors are ordinary JS typed arrays, which wasm cannot address. A copy is
// O(mk + kn + mn) against O(mkn) flops, a few per cent at the sizes that reach this path (small
// products stay in JS, see backend.ts). Zero-copy would need every tensor allocated inside the wasm
// memory (and freed by hand or by a FinalizationRegistry): a possible later step.
//
// Memory layout, bytes from the module's heap base, laid out afresh for each call:
//   [A][B][C][work 0][work 1]…   each 64-byte aligned; work t is thread t's packing scratch.
// The memory is a shared WebAssembly.Memory (growing it never detaches the buffers other threads
// see) and only ever grows.
import { GemmPool, type GemmJob } from './gemm-pool.ts';
import type { FloatArray } from './dtype.ts';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.ts';
import { loadKernelModule } from './wasm-loader.ts';

interface KernelExports {
  gemmF32: GemmFn;
  gemmF64: GemmFn;
  gemmWorkBytes(): number;
  heapBase(): number;
}
type GemmFn = (
  transA: number, transB: number, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number,
) => void;

/** Column blocks handed to threads are multiples of this (the f32 micro-tile width; f64's is 4). */
const SPLIT_N = 8;
/** Row blocks handed to threads are multiples of this (the micro-tile height). */
const SPLIT_M = 4;
const PAGE = 65536;

const align = (bytes: number): number => (bytes + 63) & ~63;

/** Counters for tests and benchmarks: products run, and how many of them were split across threads. */
export const gemmStats = { calls: 0, threaded: 0 };

class WasmGemm {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly x: KernelExports;
  readonly base: number;
  readonly workBytes: number;
  private f32: Float32Array;
  private f64: Float64Array;
  private pool: GemmPool | null = null;
  private poolSize = 0;

  constructor(module: WasmModule) {
    const api = wasmApi as NonNullable<typeof wasmApi>;
    this.module = module;
    this.memory = new api.Memory({ initial: 64, maximum: 65536, shared: true });
    const imports = { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } };
    this.x = new api.Instance(module, imports).exports as unknown as KernelExports;
    this.base = align(this.x.heapBase());
    this.workBytes = align(this.x.gemmWorkBytes());
    this.f32 = new Float32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    if (this.f32.byteLength < end) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
  }

  /** Worker threads available now (starting them, asynchronously, on first request). */
  workersReady(wanted: number): number {
    if (wanted <= 0) return 0;
    if (this.pool === null || this.poolSize < wanted) {
      this.pool?.close();
      this.pool = new GemmPool(this.module, this.memory, wanted);
      this.poolSize = wanted;
    }
    return Math.min(wanted, this.pool.ready());
  }

  whenWorkersReady(wanted: number): Promise<number> {
    this.workersReady(wanted);
    return this.pool === null ? Promise.resolve(0) : this.pool.whenReady();
  }

  /**
   * out (m×n) = op(a) · op(b) in `parts` blocks (part 0 on this thread, the rest on workers).
   * a is m×k (k×m if transA), b is k×n (n×k if transB); all three the same array type.
   */
  gemm(transA: boolean, transB: boolean, a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, parts: number): void {
    const size = a.BYTES_PER_ELEMENT;
    const aLen = m * k, bLen = k * n, cLen = m * n;
    const pa = this.base;
    const pb = pa + align(aLen * size);
    const pc = pb + align(bLen * size);
    const work = pc + align(cLen * size);
    this.ensure(work + parts * this.workBytes);
    const view = size === 8 ? this.f64 : this.f32;
    view.set(a.length === aLen ? a : a.subarray(0, aLen), pa / size);
    view.set(b.length === bLen ? b : b.subarray(0, bLen), pb / size);
    const lda = transA ? m : k;
    const ldb = transB ? k : n;
    gemmStats.calls++;
    const ta = transA ? 1 : 0, tb = transB ? 1 : 0;
    if (parts <= 1) {
      (size === 8 ? this.x.gemmF64 : this.x.gemmF32)(ta, tb, m, n, k, pa, lda, pb, ldb, pc, n, work);
    } else {
      this.gemmParallel(size, ta, tb, m, n, k, pa, lda, pb, ldb, pc, work, parts);
    }
    out.set(view.subarray(pc / size, pc / size + cLen));
  }

  /**
   * Splits C into `parts` blocks: by columns when n ≥ m (each thread then packs only its share of
   * B, the larger operand, and all of the smaller A), else by rows. Blocks are whole micro-tiles.
   */
  private gemmParallel(
    size: number, ta: number, tb: number, m: number, n: number, k: number,
    pa: number, lda: number, pb: number, ldb: number, pc: number, work: number, parts: number,
  ): void {
    gemmStats.threaded++;
    const jobs: GemmJob[] = [];
    const byCols = n >= m;
    const extent = byCols ? n : m;
    const unit = byCols ? SPLIT_N : SPLIT_M;
    let start = 0;
    for (let t = 0; t < parts && start < extent; t++) {
      const end = t === parts - 1 ? extent : Math.min(extent, Math.round((extent * (t + 1)) / parts / unit) * unit);
      if (end <= start) continue;
      const w = work + jobs.length * this.workBytes;
      if (byCols) {
        // Columns [start, end): B moves right by `start` columns (down `start` rows if stored n×k).
        const b = pb + (tb ? start * ldb : start) * size;
        jobs.push([size, ta, tb, m, end - start, k, pa, lda, b, ldb, pc + start * size, n, w]);
      } else {
        // Rows [start, end): A moves down `start` rows (right `start` columns if stored k×m).
        const a = pa + (ta ? start : start * lda) * size;
        jobs.push([size, ta, tb, end - start, n, k, a, lda, pb, ldb, pc + start * n * size, n, w]);
      }
      start = end;
    }
    const pool = this.pool as GemmPool;
    const seqs: number[] = [];
    for (let t = 1; t < jobs.length; t++) seqs.push(pool.post(t - 1, jobs[t]));
    this.run(jobs[0]);
    for (let t = 1; t < jobs.length; t++) {
      if (!pool.wait(t - 1, seqs[t - 1])) {
        // The worker failed (it reported a trap): do its block here and stop using it.
        pool.retire(t - 1);
        process.emitWarning(`tapegrad: a matmul worker thread failed; continuing on the main thread`);
        this.run(jobs[t]);
      }
    }
  }

  private run(job: GemmJob): void {
    const [size, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, w] = job;
    (size === 8 ? this.x.gemmF64 : this.x.gemmF32)(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, w);
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
    instance = new WasmGemm(loaded.module);
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
