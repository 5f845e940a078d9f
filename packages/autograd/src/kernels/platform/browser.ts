// The kernels' platform (platform.ts) in a browser (a page or a Web Worker): chosen by the "browser" condition of
// the "#platform" import in package.json, so a bundler building for the browser never reaches node: modules.
//
// The wasm modules are fetched, asynchronously, by initKernels() (init.ts) from the package's build/ folder, each
// named by a literal `new URL('…', import.meta.url)` (which Vite and other bundlers that follow that pattern copy
// into their output), or from where the page says. Worker threads are Web Workers started from a Blob URL holding
// the pool's self-contained worker source (no imports, so no bundler has to find or rewrite a worker file), and
// share a WebAssembly.Memory with the page, which browsers allow only on a cross-origin isolated page
// (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp); elsewhere the kernels run on
// one thread. A page's main thread may not block in Atomics.wait, so the pool spins there (pool.ts).
import type { KernelWorker, Platform } from './platform.ts';

/** The browser globals used here (the project compiles without the DOM lib). */
interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  location?: { href: string };
  document?: { baseURI: string };
  process?: { env?: Record<string, string | undefined> };
  Worker: new (url: string) => {
    postMessage(data: unknown): void;
    addEventListener(type: 'error', listener: () => void): void;
    terminate(): void;
  };
}
const g = globalThis as unknown as BrowserGlobals;

/**
 * The modules shipped in the package's build/, each a literal URL relative to this file (src/kernels/platform/ in
 * the repository and dist/kernels/platform/ in the package: both three levels under the package root).
 */
const BUILT: Record<string, () => URL> = {
  'kernels.wasm': () => new URL('../../../build/kernels.wasm', import.meta.url),
  'kernels-local.wasm': () => new URL('../../../build/kernels-local.wasm', import.meta.url),
  'kernels-fma.wasm': () => new URL('../../../build/kernels-fma.wasm', import.meta.url),
  'kernels-fma-local.wasm': () => new URL('../../../build/kernels-fma-local.wasm', import.meta.url),
};

const ISOLATION = 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

let blocking: boolean | undefined;

/** Blob URLs of worker sources, one per source. */
const workerUrls = new Map<string, string>();

export const platform: Platform = {
  // No environment in a page; a bundler or the page may still define process.env.
  setting: (name) => g.process?.env?.[name],

  hardwareThreads: () => g.navigator?.hardwareConcurrency ?? 1,

  threadsUnavailableReason: () =>
    g.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function'
      ? null
      : `the page is not cross-origin isolated, so workers cannot share memory with it (serve it with ${ISOLATION})`,

  // Atomics.wait throws on a page's main thread (and works in a Web Worker): ask it once, with a value that does not
  // match, so that it returns at once where it is allowed.
  mayBlock() {
    if (blocking === undefined) {
      try {
        blocking = typeof SharedArrayBuffer === 'function' && Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0) === 'not-equal';
      } catch {
        blocking = false;
      }
    }
    return blocking;
  },

  syncLoadUnavailable: () => 'a browser fetches the wasm kernels asynchronously: call `await initKernels()` before the first kernel call',

  kernelModule: () => null,

  kernelModuleLocation: (file) => platform.kernelModuleUrl(file).href,

  kernelModuleUrl(file) {
    const url = BUILT[file];
    if (url === undefined) throw new Error(`kernelModuleUrl: no kernel module ${JSON.stringify(file)} in build/`);
    return url();
  },

  async readKernelModule(url) {
    const response = await fetch(url.href);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`cannot fetch ${url.href}: ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  },

  folderUrl(folder) {
    const url = new URL(typeof folder === 'string' ? folder : folder.href, g.document?.baseURI ?? g.location?.href);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url;
  },

  // Browsers either accept relaxed-simd or do not; a page cannot ask.
  enableRelaxedSimd: () => false,

  startWorker(body, data): KernelWorker {
    let url = workerUrls.get(body);
    if (url === undefined) {
      // A classic worker whose first message is its data; the body then runs (and keeps the worker busy) for good.
      const source = `onmessage = (event) => { onmessage = null; (${body})(event.data); };`;
      url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      workerUrls.set(body, url);
    }
    const worker = new g.Worker(url);
    worker.postMessage(data);
    return {
      keepAlive() {}, // a page does not wait for its workers to exit
      onStop: (listener) => worker.addEventListener('error', listener),
      terminate: () => worker.terminate(),
    };
  },

  warn: (message) => console.warn(message),

  // A browser has no way to skip the zero-fill.
  uninitializedBuffer: (bytes) => new ArrayBuffer(bytes),

  // V8's limit on 64-bit systems (Chromium's, as Node 20's); an engine that allows less still throws its own
  // RangeError past it, after this check has named the layer and shape for anything larger.
  maxTypedArrayLength: () => 2 ** 32,

  // A page is not told the machine's memory (navigator.deviceMemory is rounded and capped at 8 GB).
  memoryBytes: () => null,

  nativeKernels: () => 'the native kernels are a Node addon (OpenBLAS); a browser runs the wasm ones',
};
