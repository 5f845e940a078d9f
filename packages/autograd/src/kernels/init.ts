// The explicit, asynchronous start of the kernels: initKernels() loads the wasm module (fetched and compiled off the
// page's thread in a browser, where a kernel call cannot wait for a download; read from the package's build/ in
// Node, where the first kernel call would load it anyway) and starts the worker threads of large matrix products,
// which a browser starts only while the page's thread is idle. Until a browser page has called it, the kernels run
// on the reference JS backend, and getBackend() says 'js'.
import { platform } from '#platform';
import { getBackend, type KernelBackend, pickDefaultBackendAgain, wasmFusedMultiplyAdd } from './backend.ts';
import { wasmApi } from './wasm/api.ts';
import { getKernelThreads, kernelThreadsReady, setKernelThreads } from './wasm/gemm.ts';
import { wasmUnavailableReason } from './wasm/instance.ts';
import { type KernelSource, loadKernelModule, loadKernelModuleAsync, useKernelModule } from './wasm/module.ts';

export type { KernelFile, KernelFiles, KernelSource } from './wasm/module.ts';

export interface InitKernelsOptions {
  /**
   * Where the compiled kernels are. Default: the package's own build/ folder, found relative to the module (which
   * bundlers that copy `new URL('…', import.meta.url)` assets, as Vite, follow). Else the URL of a folder that holds
   * those files (a string is resolved against the page, in Node against the working directory), or the files
   * themselves by name ({ 'kernels-fma-local.wasm': bytes, … }) as bytes or compiled WebAssembly.Modules: a
   * `-local` file alone runs on one thread; its shared twin (same name without `-local`) adds worker threads.
   */
  wasm?: KernelSource;
  /**
   * Threads (the calling one included) for large matrix products, as setKernelThreads. Default: TAPEGRAD_THREADS,
   * else the cores, at most 8. Always one where workers cannot share memory (a page that is not cross-origin isolated).
   */
  threads?: number;
}

/** What initKernels() set up. */
export interface InitializedKernels {
  /** The backend the kernels now use: 'wasm', unless setBackend or TAPEGRAD_BACKEND chose another. */
  backend: KernelBackend;
  /** The threads ready for large matrix products (the calling one included). */
  threads: number;
  /** Whether the wasm kernels are the fused multiply-add build (wasmFusedMultiplyAdd). */
  fma: boolean;
}

/**
 * Loads the wasm kernels and starts their worker threads; resolves once both are ready. Call it (and await it)
 * before the first kernel call in a browser; in Node it is optional. Rejects, saying why, where the kernels cannot
 * be loaded; the reference JS kernels still run then.
 */
export async function initKernels(options: InitKernelsOptions = {}): Promise<InitializedKernels> {
  if (typeof options !== 'object' || options === null) throw new Error(`initKernels: expected an options object, got ${String(options)}`);
  const { wasm, threads } = options;
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`initKernels: threads must be a positive integer, got ${String(threads)}`);
    setKernelThreads(threads);
  }
  if (wasm !== undefined || !loadKernelModule().ok) {
    const loaded = await loadKernelModuleAsync(wasm, platform, wasmApi);
    if (!loaded.ok) throw new Error(`initKernels: the wasm kernels cannot be loaded: ${loaded.reason}`);
    useKernelModule(loaded);
  }
  const reason = wasmUnavailableReason();
  if (reason !== null) throw new Error(`initKernels: ${reason}`);
  pickDefaultBackendAgain();
  const backend = getBackend();
  const ready = backend !== 'js' && getKernelThreads() > 1 ? await kernelThreadsReady() : 1;
  return { backend, threads: ready, fma: wasmFusedMultiplyAdd() };
}
