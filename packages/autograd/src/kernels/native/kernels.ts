// The native backend's kernels, through the Node addon (native/*.c, loaded by the platform): the matrix product on
// OpenBLAS's sgemm/dgemm (the bias row and ReLU applied after it in C), Adam's and SGD's updates and a gather of rows,
// all split across the addon's own threads (native/pool.c). The products are why there is a native backend:
// WebAssembly's 128-bit SIMD tops out here at ~27 G multiply-adds/s a core, OpenBLAS's AVX2 kernels reach ~46 and
// its AVX-512 ones ~88 (a 128×784×256 product). The updates are here because they then read the gradient where the
// products wrote it, with no copy into the wasm memory; the gather because V8 copies into a batch in the kernels'
// shared memory at half speed. The other element-wise kernels are bound by memory and stay wasm.
import { platform } from '#platform';
import type { FloatArray } from '../dtype.ts';
import type { NumericArray } from '../layout.ts';
import type { NativeKernels } from '../platform/platform.ts';
import type { AdamScalars, SgdScalars } from '../reference.ts';
import { getKernelThreads } from '../wasm/gemm.ts';

/** Why the native kernels cannot run in this process, or null where they can (compiling them on first call). */
export function nativeUnavailableReason(): string | null {
  const k = platform.nativeKernels();
  return typeof k === 'string' ? k : null;
}

/** The kernel set OpenBLAS runs ('SkylakeX', 'Haswell', …), or null where the native kernels are unavailable. */
export function nativeCore(): string | null {
  const k = platform.nativeKernels();
  return typeof k === 'string' ? null : k.core();
}

let addon: NativeKernels | null = null;
/** The addon's thread count last set (0: not yet). */
let threadsSet = 0;

/** The addon, or an Error saying why there is none. */
function loaded(): NativeKernels {
  if (addon === null) {
    const k = platform.nativeKernels();
    if (typeof k === 'string') throw new Error(`native kernels unavailable: ${k}`);
    addon = k;
  }
  return addon;
}

/** The addon, told the kernels' thread count if that changed since. */
function threaded(native: NativeKernels): NativeKernels {
  const threads = getKernelThreads();
  if (threads !== threadsSet) {
    native.threads(threads);
    threadsSet = threads;
  }
  return native;
}

/** out (m×n) = op(a) · op(b) (+ bias on every row, then ReLU) on OpenBLAS, split across the kernels' threads. */
export function nativeGemm(
  transA: boolean, transB: boolean, a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number,
  bias: FloatArray | null = null, relu = false,
): FloatArray {
  return threaded(loaded()).gemm(transA, transB, a, b, out, m, k, n, bias, relu);
}

/** Adam's update of θ in place (adamRef's values, bit for bit), split across the kernels' threads; one dtype and length. */
export function nativeAdam(theta: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, s: AdamScalars): FloatArray {
  const { stepSize, bias2Sqrt, beta1, beta2, eps, weightDecay, decay, sign } = s;
  return threaded(loaded()).adam(theta, grad, m, v, vMax, stepSize, bias2Sqrt, beta1, beta2, eps, weightDecay, decay, sign);
}

/** SGD's update of θ in place (sgdRef's values, bit for bit), split across the kernels' threads; b unused without momentum. */
export function nativeSgd(theta: FloatArray, grad: FloatArray, b: FloatArray, s: SgdScalars): FloatArray {
  const { lr, momentum, dampening, weightDecay, sign, first, nesterov } = s;
  return threaded(loaded()).sgd(theta, grad, momentum === 0 ? null : b, lr, momentum, dampening, weightDecay, sign, first, nesterov);
}

/** out's rows r < count = x's rows index[start + r] (indices checked by the caller), split across the kernels' threads. */
export function nativeGather<A extends NumericArray>(x: A, width: number, index: ArrayLike<number>, start: number, count: number, out: A): A {
  return threaded(loaded()).gather(x, width, index as Int32Array, start, count, out) as A;
}
