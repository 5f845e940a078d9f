// The kernels' platform (platform.ts) on Node: with node-native.ts (the native kernels' loader), the only files
// under kernels/ that import node: modules or read process. Chosen by the "#platform" import in package.json for
// every runtime but a browser.
import { Buffer, constants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { nativeKernels } from './node-native.ts';
import type { KernelWorker, Platform } from './platform.ts';

/** The compiled modules: build/ of this package (scripts/build-wasm.mjs writes them there). */
const BUILD = new URL('../../../build/', import.meta.url);

const missing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

export const platform: Platform = {
  setting: (name) => process.env[name],

  hardwareThreads: () => availableParallelism(),

  threadsUnavailableReason: () => null,

  // Node's main thread may wait (Atomics.wait), unlike a browser's.
  mayBlock: () => true,

  syncLoadUnavailable: () => null,

  kernelModule(file) {
    try {
      return readFileSync(new URL(file, BUILD));
    } catch (e) {
      if (missing(e)) return null;
      throw e;
    }
  },

  kernelModuleLocation: (file) => new URL(file, BUILD).pathname,

  kernelModuleUrl: (file) => new URL(file, BUILD),

  async readKernelModule(url) {
    if (url.protocol !== 'file:') {
      const response = await fetch(url.href);
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`cannot fetch ${url.href}: ${response.status} ${response.statusText}`);
      return new Uint8Array(await response.arrayBuffer());
    }
    try {
      return await readFile(new URL(url.href));
    } catch (e) {
      if (missing(e)) return null;
      throw e;
    }
  },

  folderUrl(folder) {
    // a string that parses as a URL is one (but a Windows path, C:\…, is a path)
    const isUrl = typeof folder !== 'string' || (URL.canParse(folder) && !/^[a-z]:[\\/]/i.test(folder));
    const url = isUrl ? new URL(typeof folder === 'string' ? folder : folder.href) : pathToFileURL(resolve(folder));
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url;
  },

  // Node 20's V8 (11.3) has relaxed-simd complete but behind this flag; Node 22 ships it on. Only the loader's
  // compile of the FMA build asks, and only unless TAPEGRAD_WASM_FMA=0.
  enableRelaxedSimd() {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      return true;
    } catch {
      return false;
    }
  },

  startWorker(body, data): KernelWorker {
    // CommonJS evaluated by the Worker constructor: no file to resolve, so it runs the same under node, tsx and vitest.
    const source = `const { workerData } = require('node:worker_threads');\n(${body})(workerData);`;
    const worker = new Worker(source, { eval: true, workerData: data });
    return {
      keepAlive: (yes) => (yes ? worker.ref() : worker.unref()),
      onStop(listener) {
        worker.on('error', listener);
        worker.on('exit', listener);
      },
      terminate: () => void worker.terminate(),
    };
  },

  warn: (message) => process.emitWarning(message),

  // Buffer.allocUnsafeSlow: an ArrayBuffer of its own (never a slice of Buffer's shared pool), without the fill. A
  // Buffer is a Uint8Array, so it holds at most MAX_LENGTH bytes; a larger float buffer (allowed: the limit counts
  // elements) is an ordinary, zero-filled ArrayBuffer.
  uninitializedBuffer: (bytes) =>
    bytes <= constants.MAX_LENGTH ? (Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer) : new ArrayBuffer(bytes),

  // Node's MAX_LENGTH is V8's largest typed array length (2^32 elements on 64-bit Node 20).
  maxTypedArrayLength: () => constants.MAX_LENGTH,

  // process.constrainedMemory: the cgroup's limit, 0 or a huge number (2^63) where there is none.
  memoryBytes: () => Math.min(totalmem(), process.constrainedMemory?.() || Infinity),

  nativeKernels,
};
