import { initKernels } from '@tapegrad/autograd';
import { wasmFusedMultiplyAdd } from '@tapegrad/autograd/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing } from '../../../../test/support/chromium.ts';
import { type Bundle, bundlePage, esbuildSite, loadPages, type PageResult, pageResult, type PageRun, viteSite } from './harness.ts';
import { trainAndCompare, type WorkloadResults } from './workload.ts';

// The packages in a browser page (issue 16 (d)): bundled by esbuild for the browser with nothing external (a node:
// import anywhere on the way fails the build), loaded in headless Chromium once cross-origin isolated (worker
// threads over a shared memory) and once not (one thread), and built by Vite (which copies the wasm kernels it
// finds as `new URL('…', import.meta.url)`) and loaded isolated, each training the chapter's network and two bigger ones with
// autograd in lockstep with the manual engine on the wasm kernels. Both runs give the same numbers bit for bit, and
// Node's wherever the numbers come from the kernels alone: the float64 chapter network's sigmoid goes through the
// JS engine's Math.exp, whose last bit differs between V8 versions (Node 20's and Chromium's differ on about one
// argument in ten), so there the two runtimes agree to a few ulps.

const missing = chromiumMissing();
const TIMEOUT = 180_000;

/** The esbuild bundle cross-origin isolated and not, and the Vite build isolated. */
type Run = 'isolated' | 'plain' | 'vite';


let bundle: Bundle;

beforeAll(async () => {
  bundle = await bundlePage();
}, TIMEOUT);

describe('the esbuild browser bundle', () => {
  it('takes the browser platform and no node: module', () => {
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.some((f) => f.endsWith('kernels/platform/browser.ts'))).toBe(true);
    expect(inputs.filter((f) => f.endsWith('kernels/platform/node.ts') || f.startsWith('node:'))).toEqual([]);
    expect(bundle.code).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });
});

describe.skipIf(missing !== null)(`headless Chromium${missing === null ? '' : ` (skipped: ${missing})`}`, () => {
  const runs: Record<Run, PageRun> = {} as never;
  let node: WorkloadResults;

  beforeAll(async () => {
    const viteOut = mkdtempSync(join(tmpdir(), 'tapegrad-vite-'));
    try {
      const esbuild = esbuildSite(bundle);
      // the isolated esbuild page finds the kernels next to the bundle; the other is told where they are
      Object.assign(runs, await loadPages({
        isolated: { site: esbuild, isolated: true, path: '/' },
        plain: { site: esbuild, isolated: false, path: '/?wasm=/kernels/' },
        vite: { site: await viteSite(viteOut), isolated: true, path: '/' },
      }, TIMEOUT / 3));
    } finally {
      rmSync(viteOut, { recursive: true, force: true });
    }
    await initKernels();
    node = trainAndCompare();
  }, TIMEOUT);

  const result = (name: Run): PageResult => pageResult(runs[name], name);

  it.each(['isolated', 'plain', 'vite'] as const)('%s: trains on the wasm kernels with gradients equal to the manual engine, and no console errors', (name) => {
    const r = result(name);
    // the page asked getBackend() before initKernels(), which is told once what to do
    expect(runs[name].complaints).toEqual([
      'console.warning: tapegrad: wasm kernels unavailable (a browser fetches the wasm kernels asynchronously: ' +
        'call `await initKernels()` before the first kernel call); using the reference JS kernels',
    ]);
    expect(r.isolated).toBe(name !== 'plain');
    expect(r.before).toBe('js'); // until initKernels() has run
    expect(r.kernels.backend).toBe('wasm');
    expect(r.results.chapter.worst).toBeLessThan(1e-12);
    expect(r.results.spiral.worst).toBeLessThan(1e-5);
    expect(r.results.mnist.worst).toBeLessThan(1e-5);
    for (const net of [r.results.chapter, r.results.spiral, r.results.mnist]) expect(net.losses.at(-1)).toBeLessThan(net.losses[0]);
  });

  it('cross-origin isolated: the big products run on two or more threads', () => {
    const r = result('isolated');
    expect(r.kernels.threads).toBeGreaterThan(1);
    expect(r.threads).toBe(r.kernels.threads);
    expect(r.threaded).toBeGreaterThan(0);
    expect(r.workerChunks).toBeGreaterThan(0);
  });

  it('not isolated: one thread, no worker', () => {
    const r = result('plain');
    expect(r.kernels.threads).toBe(1);
    expect(r.threads).toBe(1);
    expect(r.threaded).toBe(0);
    expect(r.workerChunks).toBe(0);
  });

  it('the same numbers bit for bit isolated and not, and from the Vite build', () => {
    const isolated = result('isolated');
    for (const other of [result('plain'), result('vite')]) {
      expect(other.kernels.fma).toBe(isolated.kernels.fma);
      expect(other.results).toEqual(isolated.results);
    }
    expect(result('vite').kernels.threads).toBeGreaterThan(1);
  });

  it("Node's numbers: bit for bit from the kernels, to a few ulps through Math.exp in float64", () => {
    const isolated = result('isolated');
    expect(isolated.kernels.fma).toBe(wasmFusedMultiplyAdd());
    expect(isolated.results.products).toBe(node.products);
    expect(isolated.results.spiral).toEqual(node.spiral);
    expect(isolated.results.mnist).toEqual(node.mnist);
    const { losses } = isolated.results.chapter;
    expect(losses).toHaveLength(node.chapter.losses.length);
    losses.forEach((loss, i) => expect(Math.abs(loss - node.chapter.losses[i])).toBeLessThanOrEqual(8 * Number.EPSILON * loss));
  });
});
