// What the kernels need from the runtime they run in, and nothing else: settings, the thread count, the compiled
// wasm module's bytes, worker threads, warnings, uninitialised memory, the limits on
// memory. Everything runtime-specific (Node's
// worker_threads, fs, node:v8, node:os, process; a browser's fetch, Worker, navigator) is reached through this
// interface, implemented once per runtime and chosen when the package is resolved: `import { platform } from
// '#platform'` follows the "imports" map of package.json, whose conditions pick the file ("browser" →
// platform/browser.ts, else platform/node.ts).
//
// The engines call kernels synchronously, so the members they reach are synchronous. A runtime that can only read
// the wasm module asynchronously (a browser) says so (syncLoadUnavailable), and initKernels() (init.ts) reads it
// with readKernelModule before the first kernel call.

import type { FloatArray } from '../dtype.ts';

/**
 * A URL: the global URL class has these members in Node and browsers, but the declarations the package ships must
 * not need the DOM lib or @types/node for them, so they name only what they use.
 */
export interface Url {
  readonly href: string;
  readonly protocol: string;
  readonly pathname: string;
}

/** A worker thread of the matmul pool (wasm/pool.ts). */
export interface KernelWorker {
  /** Whether this worker keeps the process alive (Node's ref/unref); a runtime without the notion ignores it. */
  keepAlive(yes: boolean): void;
  /** Calls `listener` once the worker has stopped, by an error or otherwise. */
  onStop(listener: () => void): void;
  terminate(): void;
}

/**
 * The native backend's addon (native/kernels.c): OpenBLAS's matrix products, Adam's and SGD's updates and a gather of rows, in Node only. gemm writes out (m×n) =
 * op(a) · op(b) (+ bias on every row, then max(·, 0) with relu); a, b, out, bias of one dtype, lengths checked by the
 * caller.
 */
export interface NativeKernels {
  gemm(
    transA: boolean, transB: boolean, a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number,
    bias: FloatArray | null, relu: boolean,
  ): FloatArray;
  /** Adam's update of θ in place, as adamRef (kernels/reference.ts) gives it, bit for bit; buffers of one dtype and length. */
  adam(
    theta: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null,
    stepSize: number, bias2Sqrt: number, beta1: number, beta2: number, eps: number, weightDecay: number, decay: number, sign: number,
  ): FloatArray;
  /** SGD's update of θ in place, as sgdRef gives it, bit for bit; b (null without momentum) of θ's dtype and length. */
  sgd(
    theta: FloatArray, grad: FloatArray, b: FloatArray | null,
    lr: number, momentum: number, dampening: number, weightDecay: number, sign: number, first: boolean, nesterov: boolean,
  ): FloatArray;
  /** out's rows r < count = x's rows index[start + r], `width` elements each; x and out of one element size. */
  gather(x: ArrayBufferView, width: number, index: Int32Array, start: number, count: number, out: ArrayBufferView): ArrayBufferView;
  /** Sets how many threads (the caller's and the addon's pool's) later products and updates may split across. */
  threads(count: number): void;
  /** The kernel set OpenBLAS chose for this CPU ('SkylakeX', 'Haswell', …). */
  core(): string;
}

export interface Platform {
  /** A setting from the environment (TAPEGRAD_BACKEND, TAPEGRAD_THREADS, TAPEGRAD_WASM_FMA), or undefined. */
  setting(name: string): string | undefined;
  /** How many threads the machine runs at once. */
  hardwareThreads(): number;
  /**
   * Why worker threads cannot share a memory with this one here, or null where they can (a browser page that is not
   * cross-origin isolated cannot: the kernels then run on one thread).
   */
  threadsUnavailableReason(): string | null;
  /** Whether this thread may block in Atomics.wait (a browser's main thread may not; the pool spins there instead). */
  mayBlock(): boolean;
  /**
   * Why kernelModule cannot read the modules synchronously here, or null where it can. A browser fetches them,
   * asynchronously, in initKernels(); until then the wasm backend is unavailable with this reason.
   */
  syncLoadUnavailable(): string | null;
  /** The bytes of the compiled kernel module `file` (build/kernels.wasm and its variants), or null where it is missing. */
  kernelModule(file: string): Uint8Array | null;
  /** Where `file` is looked for, for messages. */
  kernelModuleLocation(file: string): string;
  /** The URL of the compiled kernel module `file` shipped with this package (its build/ folder). */
  kernelModuleUrl(file: string): Url;
  /** The bytes at `url` (read or fetched, asynchronously), or null where there is nothing there (not found). */
  readKernelModule(url: Url): Promise<Uint8Array | null>;
  /** `folder` (a URL or, where the runtime has files, a path; relative ones against the page or working directory) as a URL. */
  folderUrl(folder: string | Url): Url;
  /**
   * Asks the runtime to accept relaxed-simd where it can be told to (V8 behind a flag, as on Node 20). Returns false
   * where it cannot; the caller then checks again whether the module validates.
   */
  enableRelaxedSimd(): boolean;
  /**
   * Starts a worker running `body`, the source of a function `(data) => void` that needs no imports, called with
   * `data` (which holds shared memory: it must reach the worker as the same memory, not a copy).
   */
  startWorker(body: string, data: object): KernelWorker;
  /** Tells the user something went wrong but was worked around. */
  warn(message: string): void;
  /** `bytes` bytes of memory of their own whose contents are unspecified (no zero-fill where the runtime can skip it). */
  uninitializedBuffer(bytes: number): ArrayBuffer;
  /** The most elements one typed array may have in this runtime. */
  maxTypedArrayLength(): number;
  /** The machine's memory in bytes, or null where the runtime does not say (a browser). */
  memoryBytes(): number | null;
  /** The native kernels (loaded once), or why this runtime has none, as a string. */
  nativeKernels(): NativeKernels | string;
}
