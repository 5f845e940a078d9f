import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { platform } from '#platform';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, getKernelThreads, initKernels, matmul, Random, wasmFusedMultiplyAdd } from './index.ts';
import { loadFrom, matmulRef } from './internal.ts';
import type { Platform } from './platform/platform.ts';
import { wasmApi } from './wasm/api.ts';
import { loadKernelModule, loadKernelModuleAsync } from './wasm/module.ts';

// initKernels() in Node, where the module also loads synchronously on first use: the ways of handing it the kernels
// (the package's build/, a folder, the files themselves), what it refuses, and the browser's way of loading (a
// platform that cannot read synchronously and whose workers cannot share memory) played through a stand-in.

const BUILD = fileURLToPath(new URL('../../build/', import.meta.url));
const bytesOf = (file: string): Uint8Array => readFileSync(`${BUILD}${file}`);

/** A float32 product past the wasm thresholds, and its relative difference from the reference kernel's. */
function productError(): number {
  const rng = new Random(1);
  const [m, k, n] = [64, 96, 80];
  const a = rng.uniformArray('float32', m * k, -1, 1);
  const b = rng.uniformArray('float32', k * n, -1, 1);
  const c = matmul(a, b, new Float32Array(m * n), m, k, n);
  const ref = matmulRef(a, b, new Float32Array(m * n), m, k, n);
  return Math.max(...c.map((x, i) => Math.abs(x - ref[i]))) / Math.max(...ref.map(Math.abs));
}

afterAll(async () => {
  await initKernels({ wasm: BUILD }); // this file's workers share the process with nothing else, but leave it as found
});

describe.skipIf(loadFrom(platform, wasmApi).ok === false)('initKernels in Node', () => {
  it('resolves with the wasm backend, the threads ready and the build, the module loaded from build/', async () => {
    const ready = await initKernels();
    expect(ready.backend).toBe(process.env.TAPEGRAD_BACKEND === 'js' ? 'js' : 'wasm');
    expect(ready.fma).toBe(wasmFusedMultiplyAdd());
    expect(ready.threads).toBeGreaterThanOrEqual(1);
    expect(ready.threads).toBeLessThanOrEqual(getKernelThreads());
    expect(getBackend()).toBe(ready.backend);
  });

  it('takes a folder (a path here, a URL in a browser) and the threads to use', async () => {
    const ready = await initKernels({ wasm: BUILD, threads: 2 });
    expect(ready.backend).toBe(getBackend());
    expect(getKernelThreads()).toBe(2);
    expect(productError()).toBeLessThan(1e-6);
  });

  it('takes the files themselves: the plain -local build alone runs on one thread', async () => {
    const ready = await initKernels({ wasm: { 'kernels-local.wasm': bytesOf('kernels-local.wasm').buffer as ArrayBuffer }, threads: 2 });
    expect(ready).toEqual({ backend: getBackend(), threads: 1, fma: false });
    const loaded = loadKernelModule();
    expect(loaded.ok && loaded.module).toBe(null);
    expect(getKernelThreads()).toBe(1);
    expect(productError()).toBeLessThan(1e-6);
  });

  it('takes compiled modules, the shared twin adding threads', async () => {
    const api = wasmApi as NonNullable<typeof wasmApi>;
    const files = { 'kernels.wasm': await api.compile(bytesOf('kernels.wasm')), 'kernels-local.wasm': await api.compile(bytesOf('kernels-local.wasm')) };
    const ready = await initKernels({ wasm: files, threads: 2 });
    expect(ready.fma).toBe(false);
    expect(getKernelThreads()).toBe(2);
    expect(ready.threads).toBeLessThanOrEqual(2);
  });

  it('refuses, naming what was wrong: threads, an unknown file, a folder without the kernels, bytes that are not wasm', async () => {
    await expect(initKernels({ threads: 0 })).rejects.toThrow('initKernels: threads must be a positive integer, got 0');
    await expect(initKernels({ wasm: { 'kernels.js': new Uint8Array(8) } as never })).rejects.toThrow(
      'initKernels: unknown kernel file "kernels.js"; expected kernels-fma.wasm, kernels-fma-local.wasm, kernels.wasm, kernels-local.wasm',
    );
    const empty = fileURLToPath(new URL('./platform/', import.meta.url));
    await expect(initKernels({ wasm: empty })).rejects.toThrow(
      /initKernels: the wasm kernels cannot be loaded: file:\/\/.*\/platform\/kernels\.wasm and .*kernels-local\.wasm missing: `wasm` should be/,
    );
    await expect(initKernels({ wasm: { 'kernels-local.wasm': new Uint8Array(16) } })).rejects.toThrow(/WebAssembly/);
    await expect(initKernels({ wasm: { 'kernels.wasm': bytesOf('kernels.wasm') } })).rejects.toThrow(
      'initKernels: the wasm kernels cannot be loaded: kernels-local.wasm missing: ' +
        'the files given to initKernels need kernels-local.wasm or kernels-fma-local.wasm (one thread)',
    );
  });
});

describe("a browser's way of loading, on a stand-in platform", () => {
  /** Node's platform as a browser page that is not cross-origin isolated sees it; `fetched` lists what it read. */
  function page(fetched: string[]): Platform {
    return {
      ...platform,
      syncLoadUnavailable: () => 'call initKernels() first',
      threadsUnavailableReason: () => 'not isolated',
      setting: () => undefined,
      readKernelModule: (url) => {
        fetched.push(url.pathname.split('/').pop() as string);
        return platform.readKernelModule(url);
      },
    };
  }

  it('cannot load synchronously, and says so', () => {
    expect(loadFrom(page([]), wasmApi)).toEqual({ ok: false, reason: 'call initKernels() first' });
  });

  it('fetches only the -local builds where workers cannot share memory, and loads no shared module', async () => {
    const fetched: string[] = [];
    const loaded = await loadKernelModuleAsync(undefined, page(fetched), wasmApi);
    expect(fetched.sort()).toEqual(['kernels-fma-local.wasm', 'kernels-local.wasm']);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.module).toBe(null);
    expect(loaded.file).toBe(loaded.fma ? 'kernels-fma.wasm' : 'kernels.wasm');
  });

  it('names the URLs it could not fetch and what to do', async () => {
    const loaded = await loadKernelModuleAsync(undefined, { ...page([]), readKernelModule: async () => null }, wasmApi);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.reason).toMatch(/^file:\/\/.*\/build\/kernels-local\.wasm missing: where the page cannot fetch them from next to the package/);
    expect(loaded.reason).toContain('pass its URL as `wasm` to initKernels');
  });
});
