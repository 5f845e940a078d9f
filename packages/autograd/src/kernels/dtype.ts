import { platform } from '#platform';
import { formatValue } from './format.ts';
import type { Shape } from './shape.ts';
import { sizeOf } from './shape.ts';

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
  const bytes = n * bytesPerElement(dtype);
  if (bytes < UNINITIALIZED_MIN_BYTES) return zeroed(dtype, n);
  const buffer = platform.uninitializedBuffer(bytes);
  return dtype === 'float64' ? new Float64Array(buffer, 0, n) : new Float32Array(buffer, 0, n);
}

/** The dtype a buffer holds. */
export function dtypeOf(data: FloatArray): DType {
  // the element size, not `instanceof`: a prototype-chain walk, and called for every tensor made
  return data.BYTES_PER_ELEMENT === 8 ? 'float64' : 'float32';
}

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

/** `8000000000` bytes as `8.0 GB (8000000000 bytes)`, for messages. */
function bytesStr(bytes: number): string {
  for (const [size, unit] of [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']] as const) {
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit} (${bytes} bytes)`;
  }
  return `${bytes} bytes`;
}

/**
 * Throws, before anything is allocated, when the buffers named in `buffers` (name → shape of non-negative
 * integers) cannot be made in `dtype`: one holds more elements than the runtime's typed arrays can (V8 on 64-bit
 * Node 20: 2^32), or all together need more bytes than the machine gives the process (where the platform says;
 * Node: os.totalmem(), or the cgroup's limit when lower; a browser gives no bound). Without it a huge layer allocates
 * and fills for minutes before the system kills the process, or fails with V8's `RangeError: Invalid typed array
 * length`, which names no layer. `what` names the layer or op (`Linear(1000000000 → 2)`, `zeros`). Returns the bytes.
 */
export function checkAllocation(what: string, dtype: DType, buffers: Readonly<Record<string, Shape>>): number {
  const perElement = bytesPerElement(dtype);
  const maxLength = platform.maxTypedArrayLength();
  const describe = (name: string, shape: Shape, n: number): string =>
    `${name} of shape [${shape.join(', ')}] in ${dtype} (${n} elements, ${bytesStr(n * perElement)})`;
  let total = 0;
  let largest = '';
  let largestSize = -1;
  const names = Object.keys(buffers);
  for (const name of names) {
    const n = sizeOf(buffers[name]);
    if (n > maxLength) {
      throw new Error(`${what}: ${describe(name, buffers[name], n)} is larger than a typed array can be (at most ${maxLength} elements)`);
    }
    total += n * perElement;
    if (n > largestSize) [largest, largestSize] = [describe(name, buffers[name], n), n];
  }
  const memory = platform.memoryBytes();
  if (memory !== null && total > memory) {
    const others = names.length === 1 ? '' : ` and ${names.length - 1} more (${bytesStr(total)} in all)`;
    throw new Error(`${what}: ${largest}${others} needs more memory than this machine gives (${bytesStr(memory)})`);
  }
  return total;
}

/** Throws unless `dtype` names one of tapegrad's dtypes. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${op}: unknown dtype ${formatValue(dtype)}; expected 'float32' or 'float64'`);
  }
  return dtype;
}
