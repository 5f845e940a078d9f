// What the kernels need from the runtime they run in, and nothing else: settings, the thread count, the compiled
// wasm module's bytes, worker threads, warnings, uninitialised memory, the limits on memory. Everything Node-only (worker_threads, fs,
// node:v8, node:os, process) is reached through this interface, implemented once per runtime and chosen when the
// package is resolved: `import { platform } from '#platform'` follows the "imports" map of package.json, whose
// conditions pick the file ("node" → platform/node.ts). A browser implementation is one more file and one more
// condition ("browser") there; nothing under kernels/ changes.
//
// The engines call kernels synchronously, so every member is synchronous. A runtime that can only fetch the wasm
// module asynchronously (a browser) fetches it before the first kernel call and hands the bytes over here.

/** A worker thread of the matmul pool (wasm/pool.ts). */
export interface KernelWorker {
  /** Whether this worker keeps the process alive (Node's ref/unref); a runtime without the notion ignores it. */
  keepAlive(yes: boolean): void;
  /** Calls `listener` once the worker has stopped, by an error or otherwise. */
  onStop(listener: () => void): void;
  terminate(): void;
}

export interface Platform {
  /** A setting from the environment (TAPEGRAD_BACKEND, TAPEGRAD_THREADS, TAPEGRAD_WASM_FMA), or undefined. */
  setting(name: string): string | undefined;
  /** How many threads the machine runs at once. */
  hardwareThreads(): number;
  /** The bytes of the compiled kernel module `file` (build/kernels.wasm and its variants), or null where it is missing. */
  kernelModule(file: string): Uint8Array | null;
  /** Where `file` is looked for, for messages. */
  kernelModuleLocation(file: string): string;
  /**
   * Asks the runtime to accept relaxed-simd where it can be told to (V8 behind a flag, as on Node 20). Returns false
   * where it cannot; the caller then checks again whether the module validates.
   */
  enableRelaxedSimd(): boolean;
  /**
   * Starts a worker running `body`, the source of a function `(data) => void`, called with `data` (which holds
   * shared memory: it must reach the worker as the same memory, not a copy).
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
}
