import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDir } from '../../scripts/lint-packages.ts';
import { builtEnv, lintPackages, PACKAGES, packPackages, ROOT } from '../../scripts/lint-packages.ts';
import { bundlePage, esbuildSite, loadPages, pageResult } from '../../packages/bench/test/browser/harness.ts';
import { backendUnavailableReason } from '../../packages/autograd/src/kernels/backend.ts';
import { chromiumMissing } from '../support/chromium.ts';
import { productsDigest } from '../../packages/bench/test/browser/workload.ts';

// The packages as a user gets them: packed as they would be published (which builds them: wasm kernels, dist/),
// installed with npm into a fresh project outside the repository, and used there by plain Node (an ES module and a
// CommonJS script), by TypeScript under strict settings, bundled by esbuild for a browser page in headless Chromium,
// and linted (publint, Are the Types Wrong). Nothing here runs from the repository's sources (but for the
// products the browser's are compared with). Needs the npm registry for the bench's runtime dependencies.

const PROJECT = join(import.meta.dirname, 'project');
const BROWSER_TEST = join(ROOT, 'packages', 'bench', 'test', 'browser');
/** Why the browser part cannot run here, or null. */
const chromium = chromiumMissing();
/** Why the native backend cannot run here (no C compiler, OpenBLAS or Node headers), or null. */
const nativeMissing = backendUnavailableReason('native');
const TIMEOUT = 120_000;

let tmp = '';
/** The consumer project. */
let dir = '';
let tarballs = {} as Record<PackageDir, string>;

/** Runs a command in the consumer project with the built packages' environment (and `env`); its stdout. */
function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...builtEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tapegrad-consumer-'));
  tarballs = packPackages(join(tmp, 'tarballs'));
  dir = join(tmp, 'app');
  cpSync(PROJECT, dir, { recursive: true });
  const dependencies = Object.fromEntries(PACKAGES.map((name) => [`@tapegrad/${name}`, `file:../tarballs/${basename(tarballs[name])}`]));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'tapegrad-consumer', private: true, type: 'module', dependencies }, null, 2)}\n`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
}, 5 * TIMEOUT);

// Removing the project's node_modules takes seconds on a loaded machine: the hook gets the tests' time.
afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
}, TIMEOUT);

interface Summary {
  backend: string;
  chapter: { worst: number; firstLoss: number; lastLoss: number };
  wide: { worst: number; firstLoss: number; lastLoss: number };
  matmulVsRef: number;
}

describe('the packed packages, installed with npm into a fresh project', () => {
  it('ship the built modules, declarations, maps and wasm kernels, and no tests', () => {
    const files = (name: PackageDir): string[] => run('tar', ['-tzf', tarballs[name]]).split('\n').filter(Boolean);
    const autograd = files('autograd');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/index.d.ts.map', 'dist/index.js.map', 'dist/kernels/index.js', 'LICENSE']) {
      expect(autograd, f).toContain(`package/${f}`);
    }
    for (const wasm of ['kernels', 'kernels-local', 'kernels-fma', 'kernels-fma-local']) expect(autograd).toContain(`package/build/${wasm}.wasm`);
    expect(autograd).toContain('package/native/kernels.c');
    for (const name of PACKAGES) {
      const all = files(name);
      expect(all).toContain('package/LICENSE');
      expect(all.filter((f) => /\.test(-helper)?\.ts$|\/test\//.test(f)), name).toEqual([]);
    }
  });

  it('(a) a plain Node ES module trains the chapter network with autograd on the wasm kernels, gradients equal to the manual engine', () => {
    const s = JSON.parse(run('node', ['esm.mjs'])) as Summary;
    expect(s.backend).toBe('wasm');
    expect(s.chapter.worst).toBeLessThan(1e-12);
    expect(s.chapter.lastLoss).toBeLessThan(s.chapter.firstLoss);
    expect(s.wide.worst).toBeLessThan(1e-5);
    expect(s.wide.lastLoss).toBeLessThan(s.wide.firstLoss);
  }, TIMEOUT);

  it('(b) the same through require() from CommonJS, with the same numbers', () => {
    const cjs = JSON.parse(run('node', ['cjs.cjs'])) as Summary;
    const esm = JSON.parse(run('node', ['esm.mjs'])) as Summary;
    expect(cjs.backend).toBe('wasm');
    expect(cjs).toEqual(esm);
  }, TIMEOUT);

  it.skipIf(nativeMissing !== null)(
    `(b2) TAPEGRAD_BACKEND=native compiles the installed package's addon on first use and trains the same${nativeMissing === null ? '' : ` (skipped: ${nativeMissing})`}`,
    () => {
      const cache = join(tmp, 'native-cache'); // empty: the addon is compiled from the tarball's native/kernels.c
      const s = JSON.parse(run('node', ['esm.mjs'], { TAPEGRAD_BACKEND: 'native', TAPEGRAD_NATIVE_DIR: cache })) as Summary;
      expect(s.backend).toBe('native');
      expect(s.chapter.worst).toBeLessThan(1e-12);
      expect(s.wide.worst).toBeLessThan(1e-5);
      expect(s.matmulVsRef).toBeLessThan(1e-5);
      expect(readdirSync(cache).filter((f) => f.endsWith('.node'))).toHaveLength(1);
    },
    TIMEOUT,
  );

  it.each([
    ['ES module, moduleResolution node16', 'tsconfig.node16.json'],
    ['ES module, moduleResolution bundler', 'tsconfig.bundler.json'],
    ['CommonJS (require), module node20', 'tsconfig.node20-cjs.json'],
  ])('(c) TypeScript type-checks a consumer with strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes: %s', (_, config) => {
    // the repository's TypeScript; the consumer's files and the packages' .d.ts (skipLibCheck is off)
    expect(run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', config, '--pretty', 'false'])).toBe('');
  }, TIMEOUT);

  it('the bench, without its optional peers, checks an engine in lockstep, and a peer asked for names the packages to install', () => {
    const r = JSON.parse(run('node', ['bench.mjs'])) as { lockstep: { pass: boolean; maxRel: number }; peers: unknown[] };
    expect(r.lockstep.pass).toBe(true);
    expect(r.lockstep.maxRel).toBeLessThan(1e-12);
    expect(r.peers).toEqual([
      { name: 'tfjs-wasm', started: false, detail: expect.stringContaining('npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm') },
      { name: 'jax-js', started: false, detail: expect.stringContaining('npm install @jax-js/jax') },
    ]);
    expect(readdirSync(join(dir, 'node_modules')).filter((d) => d.startsWith('@tensorflow') || d.startsWith('@jax-js'))).toEqual([]);
  }, TIMEOUT);

  it.skipIf(chromium !== null)(
    '(d) an esbuild browser bundle of the installed packages trains in headless Chromium on the wasm kernels, ' +
      `isolated (threads) and not${chromium === null ? '' : ` (skipped: ${chromium})`}`,
    async () => {
      // the browser test's page (packages/bench/test/browser) copied into the project, so that it imports what npm installed
      const browser = join(dir, 'browser');
      for (const file of ['page.ts', 'workload.ts']) cpSync(join(BROWSER_TEST, file), join(browser, file));
      const bundle = await bundlePage(join(browser, 'page.ts'), false);
      const packages = Object.keys(bundle.metafile.inputs).filter((f) => f.includes('@tapegrad/'));
      expect(packages.filter((f) => !/node_modules\/@tapegrad\/(autograd|manual)\/dist\//.test(f))).toEqual([]);
      expect(packages.some((f) => f.endsWith('autograd/dist/kernels/platform/browser.js'))).toBe(true);
      const site = esbuildSite(bundle, join(dir, 'node_modules', '@tapegrad', 'autograd', 'build'));
      const runs = await loadPages({ isolated: { site, isolated: true, path: '/' }, plain: { site, isolated: false, path: '/?wasm=/kernels/' } }, TIMEOUT);
      const isolated = pageResult(runs.isolated, 'isolated');
      const plain = pageResult(runs.plain, 'not isolated');
      for (const r of [isolated, plain]) {
        expect(r.kernels.backend).toBe('wasm');
        expect(r.results.chapter.worst).toBeLessThan(1e-12);
        expect(r.results.mnist.worst).toBeLessThan(1e-5);
      }
      expect(isolated.kernels.threads).toBeGreaterThan(1);
      expect(isolated.workerChunks).toBeGreaterThan(0);
      expect(plain.kernels.threads).toBe(1);
      expect(plain.results).toEqual(isolated.results);
      // the products, from the workspace's sources in this process, bit for bit (see the browser test)
      expect(isolated.results.products).toBe(productsDigest());
      // only the warning for the getBackend() the page asks before initKernels()
      for (const r of [runs.isolated, runs.plain]) expect(r.complaints).toEqual([expect.stringContaining('call `await initKernels()`')]);
    },
    2 * TIMEOUT,
  );

  it('publint and Are the Types Wrong find nothing in the tarballs', async () => {
    const { findings } = await lintPackages(tarballs);
    expect(findings).toEqual([]);
  }, TIMEOUT);
});
