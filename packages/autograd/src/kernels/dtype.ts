import { platform } from '#platform';

/** The two element types tapegrad computes in. float32 is the default, as in PyTorch. */
export type DType = 'float32' | 'float64';

/** A flat row-major buffer of either dtype. */
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * Where allocate() and allocateUninitialized() take their buffers while one is set: a pool that hands out a buffer
 * of `n` elements of `dtype` (zero-filled when `zeroed`), made with `make` when it has none to reuse, or null for the
 * caller to allocate as usual. The kernels only ask it; whoever sets it vouches that what it hands out is not
 * used after the pool takes it back.
 */
export interface BufferPool {
  take(dtype: DType, n: number, zeroed: boolean, make: (dtype: DType, n: number) => FloatArray): FloatArray | null;
}

let pool: BufferPool | null = null;

/** Makes `p` (or null: none) the pool allocations take from; returns the one it replaces. */
export function setBufferPool(p: BufferPool | null): BufferPool | null {
  const previous = pool;
  pool = p;
  return previous;
}

/** The pool allocations take from now, or null. */
export function bufferPool(): BufferPool | null {
  return pool;
}

/** A zero-filled buffer of `n` elements of `dtype` (from the buffer pool, when one is set). */
export function allocate(dtype: DType, n: number): FloatArray {
  return (pool === null ? null : pool.take(dtype, n, true, zeroed)) ?? zeroed(dtype, n);
}

function zeroed(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** Below this many bytes allocateUninitialized zero-fills like allocate: the fill costs nothing at that size. */
const UNINITIALIZED_MIN_BYTES = 4096;

/**
 * A buffer of `n` elements of `dtype` whose contents are unspecified, for the output of a kernel that writes every
 * element. `new Float32Array(n)` zero-fills, which costs as much as a simple kernel's whole pass: measured here,
 * 16K floats 4.7 → 1.9 µs, 256K floats 46 → 5 µs. The platform's uninitializedBuffer (Node: Buffer.allocUnsafeSlow)
 * gives an ArrayBuffer of its own without the fill; the typed array spans all of it.
 */
export function allocateUninitialized(dtype: DType, n: number): FloatArray {
  return (pool === null ? null : pool.take(dtype, n, false, uninitialized)) ?? uninitialized(dtype, n);
}

function uninitialized(dtype: DType, n: number): FloatArray {
  const bytes = n * (dtype === 'float64' ? 8 : 4);
  if (bytes < UNINITIALIZED_MIN_BYTES) return zeroed(dtype, n);
  const buffer = platform.uninitializedBuffer(bytes);
  return dtype === 'float64' ? new Float64Array(buffer, 0, n) : new Float32Array(buffer, 0, n);
}

/** The dtype a buffer holds. */
export function dtypeOf(data: FloatArray): DType {
  // the element size, not `instanceof`: a prototype-chain walk, and called for every tensor made
  return data.BYTES_PER_ELEMENT === 8 ? 'float64' : 'float32';
}

/** Throws unless `dtype` names one of tapegrad's dtypes. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
  }
  return dtype;
}
