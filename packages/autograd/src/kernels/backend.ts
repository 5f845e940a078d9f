// Kernel backends for the matrix products: 'js' (the plain TypeScript reference kernels, portable,
// the definition of the semantics) and 'wasm' (SIMD WebAssembly, assembly/, the default where it
// can be loaded). Both engines call the same `matmul`/`matmulTN`/`matmulNT`, so switching here
// switches both.
//
// Selection: setBackend(), else the TAPEGRAD_BACKEND environment variable ('js' | 'wasm'), else
// 'wasm' when available (with a one-time warning when it is not). Even on 'wasm', products below
// WASM_MIN_MACS multiply-adds stay in JS, where a call costs nothing to set up, and products big
// enough to give every thread WASM_THREAD_MIN_MACS are split across worker threads.
import { availableParallelism } from 'node:os';
import type { FloatArray } from './dtype.ts';
import type { BinaryKernelName, UnaryKernelName } from './wasm-gemm.ts';
import { wasmGemm, wasmUnavailableReason } from './wasm-gemm.ts';

export type KernelBackend = 'js' | 'wasm';
export const KERNEL_BACKENDS: readonly KernelBackend[] = ['js', 'wasm'];

/**
 * Below this many multiply-adds (m·k·n), or with fewer than WASM_MIN_OUTPUTS outputs, a product runs
 * in JS even on the wasm backend. Measured (scripts/bench-matmul.ts --crossover): a wasm call with
 * its copies costs ~0.35 µs and overtakes the reference loops at ~200-300 multiply-adds (7×7×7:
 * 2× faster, 8×8×8: 3.5×); but a 4×8 register tile is mostly padding for matrix-vector shapes
 * (1×256×1: JS 1.6 µs, wasm 2.7 µs).
 */
export const WASM_MIN_MACS = 512;
export const WASM_MIN_OUTPUTS = 32;

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

let selected: KernelBackend | undefined;
let threads = defaultThreads();

function defaultThreads(): number {
  const env = Number(process.env.TAPEGRAD_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** Whether a backend can be used in this process (loading the wasm module if need be). */
export function backendAvailable(name: KernelBackend): boolean {
  return name === 'js' || (name === 'wasm' && wasmGemm() !== null);
}

/**
 * Whether the wasm kernels are the fused multiply-add build (relaxed-simd; see wasm-loader.ts):
 * products then round once per multiply-add instead of twice, so they differ from the reference
 * JS kernels in the last bits. False on the plain SIMD build or when wasm is unavailable.
 */
export function wasmFusedMultiplyAdd(): boolean {
  return wasmGemm()?.fma ?? false;
}

/** Why a backend cannot be used, or null if it can. */
export function backendUnavailableReason(name: KernelBackend): string | null {
  if (name === 'js') return null;
  if (name === 'wasm') return wasmUnavailableReason();
  return `unknown kernel backend ${JSON.stringify(name)}`;
}

/** The backend the matrix products currently use. */
export function getBackend(): KernelBackend {
  if (selected === undefined) selected = defaultBackend();
  return selected;
}

function defaultBackend(): KernelBackend {
  const env = process.env.TAPEGRAD_BACKEND;
  if (env === 'js') return 'js';
  if (env !== undefined && env !== '' && env !== 'wasm') {
    throw new Error(`TAPEGRAD_BACKEND: unknown kernel backend ${JSON.stringify(env)}; expected 'js' or 'wasm'`);
  }
  if (wasmGemm() !== null) return 'wasm';
  process.emitWarning(`tapegrad: wasm kernels unavailable (${wasmUnavailableReason()}); using the reference JS kernels`);
  return 'js';
}

/** Selects the backend for all later products. Throws if it is unknown or cannot be loaded. */
export function setBackend(name: KernelBackend): void {
  if (name !== 'js' && name !== 'wasm') {
    throw new Error(`setBackend: unknown kernel backend ${JSON.stringify(name)}; expected 'js' or 'wasm'`);
  }
  if (name === 'wasm' && wasmGemm() === null) throw new Error(`setBackend: the wasm backend is unavailable: ${wasmUnavailableReason()}`);
  selected = name;
}

/** Threads (this one included) a large wasm product may use. Default: the cores, at most 8. */
export function getKernelThreads(): number {
  return threads;
}

export function setKernelThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setKernelThreads: expected a positive integer, got ${n}`);
  threads = n;
}

/**
 * Starts the worker threads now (they otherwise start on the first product large enough to use
 * them, which then still runs on one thread) and resolves with the number of threads ready.
 */
export async function kernelThreadsReady(): Promise<number> {
  const g = wasmGemm();
  if (g === null || threads <= 1) return 1;
  return 1 + (await g.whenWorkersReady(threads - 1));
}

/**
 * out (m×n) = op(a)·op(b) on the wasm backend, if it is selected and the product is worth it.
 * Returns false when the caller should use the JS kernel instead.
 */
export function gemmDispatch(
  transA: boolean, transB: boolean, a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, bias: FloatArray | null = null,
  relu = false,
): boolean {
  const macs = m * k * n;
  if (macs < WASM_MIN_MACS || m * n < WASM_MIN_OUTPUTS || (selected ?? getBackend()) !== 'wasm') return false;
  // Mixed float32/float64 operands are rare and have no wasm kernel.
  if (a.constructor !== out.constructor || b.constructor !== out.constructor) return false;
  if (bias !== null && bias.constructor !== out.constructor) return false;
  gemmWasm(transA, transB, a, b, out, m, k, n, bias, relu);
  return true;
}

/**
 * out = op(a)·op(b) (+ the bias row, when given, added to every row; then ReLU, when `relu`) on the wasm backend
 * whatever the size (threads as configured). Throws if unavailable.
 */
export function gemmWasm(
  transA: boolean, transB: boolean, a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, bias: FloatArray | null = null,
  relu = false,
): void {
  const g = wasmGemm();
  if (g === null) throw new Error(`matmul: the wasm backend is unavailable: ${wasmUnavailableReason()}`);
  if (a.constructor !== out.constructor || b.constructor !== out.constructor) {
    throw new Error(`matmul: the wasm backend needs operands of one dtype; got ${a.constructor.name}, ${b.constructor.name} → ${out.constructor.name}`);
  }
  // Threads only for products that give each at least WASM_THREAD_MIN_MACS; the output is cut
  // into CHUNKS_PER_THREAD chunks a thread, claimed dynamically (see gemm-pool.ts), so that a
  // worker that is late to wake leaves its chunk to the main thread.
  const macs = m * k * n;
  const t = Math.min(threads, Math.floor(macs / WASM_THREAD_MIN_MACS));
  const tiles = n >= m ? Math.ceil(n / 8) : Math.ceil(m / 4);
  if (bias !== null && bias.constructor !== out.constructor) {
    throw new Error(`matmul: the wasm backend needs a bias of the output's dtype; got ${bias.constructor.name} for ${out.constructor.name}`);
  }
  g.gemm(transA, transB, a, b, out, m, k, n, t, Math.min(CHUNKS_PER_THREAD * t, tiles), bias, relu);
}

/**
 * Below this many elements `axpy` stays in JS even on the wasm backend: copying x and y in and y out costs about
 * what the JS loop does on a buffer in cache, while on large buffers (parameter updates, gradient accumulation) the
 * SIMD loop with its copies is several times faster.
 */
export const WASM_AXPY_MIN = 8192;

/** y ← y + a·x on the wasm backend if it is selected and the buffers are worth it; false when the caller should use JS. */
export function axpyDispatch(a: number, x: FloatArray, y: FloatArray): boolean {
  if (y.length < WASM_AXPY_MIN || x.length < y.length || (selected ?? getBackend()) !== 'wasm') return false;
  if (x.constructor !== y.constructor) return false;
  (wasmGemm() as NonNullable<ReturnType<typeof wasmGemm>>).axpy(a, x, y);
  return true;
}

/**
 * Below this many elements the element-wise kernels with a wasm form (relu, its derivative, its backward, the
 * Hadamard product, addRow, sumRows) stay in JS even on the wasm backend. Above it, copying the operands in and the result out plus a SIMD loop of bit masks costs about a third of
 * the JS loop (16384 float32: ~8 µs against 20-30 µs).
 */
export const WASM_ELEMENTWISE_MIN = 4096;

/**
 * Whether none of the first n elements of x is NaN or ±Infinity, on the wasm backend if it is selected and x is worth
 * it (a copy in and a SIMD scan: ~6× the JS scan on 100K float32); null when the caller should scan in JS.
 */
export function allFiniteDispatch(x: FloatArray, n: number): boolean | null {
  if (n < WASM_ELEMENTWISE_MIN || (selected ?? getBackend()) !== 'wasm') return null;
  return (wasmGemm() as NonNullable<ReturnType<typeof wasmGemm>>).allFinite(x, n);
}

/** out = f(x) on the wasm backend if it is selected and x is worth it; false when the caller should use JS. */
export function unaryDispatch(name: UnaryKernelName, x: FloatArray, out: FloatArray): boolean {
  if (x.length < WASM_ELEMENTWISE_MIN || out.length < x.length || (selected ?? getBackend()) !== 'wasm') return false;
  if (x.constructor !== out.constructor) return false;
  (wasmGemm() as NonNullable<ReturnType<typeof wasmGemm>>).unary(name, x, out);
  return true;
}

/** out = f(x, y) on the wasm backend if it is selected and x is worth it; false when the caller should use JS. */
export function binaryDispatch(name: BinaryKernelName, x: FloatArray, y: FloatArray, out: FloatArray): boolean {
  if (x.length < WASM_ELEMENTWISE_MIN || y.length < x.length || out.length < x.length || (selected ?? getBackend()) !== 'wasm') return false;
  if (x.constructor !== out.constructor || y.constructor !== out.constructor) return false;
  (wasmGemm() as NonNullable<ReturnType<typeof wasmGemm>>).binary(name, x, y, out);
  return true;
}

/** out (rows × cols) = x + bias on the wasm backend if it is selected and worth it; false when the caller should use JS. */
export function addRowDispatch(x: FloatArray, bias: FloatArray, out: FloatArray, rows: number, cols: number): boolean {
  const n = rows * cols;
  if (n < WASM_ELEMENTWISE_MIN || x.length < n || out.length < n || bias.length < cols || (selected ?? getBackend()) !== 'wasm') return false;
  if (x.constructor !== out.constructor || bias.constructor !== out.constructor) return false;
  (wasmGemm() as NonNullable<ReturnType<typeof wasmGemm>>).addRow(x, bias, out, rows, cols);
  return true;
}

/** out (cols) = Σ_rows x on the wasm backend if it is selected and worth it; false when the caller should use JS. */
export function sumRowsDispatch(x: FloatArray, out: FloatArray, rows: number, cols: number): boolean {
  const n = rows * cols;
  if (n < WASM_ELEMENTWISE_MIN || x.length < n || out.length !== cols || (selected ?? getBackend()) !== 'wasm') return false;
  if (x.constructor !== out.constructor) return false;
  (wasmGemm() as NonNullable<ReturnType<typeof wasmGemm>>).sumRows(x, out, rows, cols);
  return true;
}
