// The browser test's machinery: an esbuild bundle of page.ts for the browser (no externals, so a node: import
// anywhere in the graph fails the build) or a Vite build of it, served by the tests' static server (test/support)
// with or without the headers that make a page cross-origin isolated, and loaded in the tests' headless Chromium.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { launchChromium } from '../../../../test/support/chromium.ts';
import { serve, type Site } from '../../../../test/support/static-server.ts';
import type { WorkloadResults } from './workload.ts';

/** The export condition under which the workspace's packages point at their sources. */
const SOURCE = '@tapegrad/source';

/** The package's built wasm kernels. */
const KERNELS = fileURLToPath(new URL('../../../autograd/build/', import.meta.url));

export interface Bundle {
  code: string;
  metafile: Metafile;
}

/**
 * page.ts (or `entry`, a copy of it elsewhere) bundled for the browser as one ES module: with `sources`, the
 * workspace's packages from their sources (the @tapegrad/source condition), else from what their exports give
 * everyone (dist/ of installed packages).
 */
export async function bundlePage(entry = fileURLToPath(new URL('./page.ts', import.meta.url)), sources = true): Promise<Bundle> {
  const out = await build({
    entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
    conditions: sources ? [SOURCE] : [],
  });
  return { code: out.outputFiles[0].text, metafile: out.metafile };
}

const HTML = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>';

/**
 * The esbuild bundle's site: the page (/), the bundle (/app.js) and the wasm kernels (`kernels`: a build/ folder) at /build/ (where the bundle's
 * `new URL('../../../build/…', import.meta.url)` lands from /app.js) and at /kernels/ (a folder the page may name).
 */
export function esbuildSite(bundle: Bundle, kernels = KERNELS): Site {
  const site = new Map<string, string | Uint8Array>([['/index.html', HTML], ['/app.js', bundle.code]]);
  for (const file of readdirSync(kernels).filter((f) => f.endsWith('.wasm'))) {
    for (const folder of ['build', 'kernels']) site.set(`/${folder}/${file}`, readFileSync(join(kernels, file)));
  }
  return site;
}

/** The page (page.ts, through index.html beside it) built by Vite into `outDir`, a folder to serve. */
export async function viteSite(outDir: string): Promise<string> {
  const { build: viteBuild, defaultClientConditions } = await import('vite');
  const root = fileURLToPath(new URL('.', import.meta.url));
  await viteBuild({
    root, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true, target: 'es2022' },
    resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  });
  return outDir;
}

/** What page.ts leaves when it ran through. */
export interface PageResult {
  isolated: boolean;
  /** getBackend() before initKernels() */
  before: string;
  kernels: { backend: string; threads: number; fma: boolean };
  threads: number;
  workerChunks: number;
  threaded: number;
  results: WorkloadResults;
}

/** The result of page.ts in `run`; throws the page's error where it failed. */
export function pageResult(run: PageRun, name: string): PageResult {
  if (!run.outcome.ok) throw new Error(`the ${name} page failed: ${run.outcome.error}`);
  return run.outcome.result as PageResult;
}

export interface PageRun {
  /** what the page left in window.tapegradResult */
  outcome: { ok: true; result: unknown } | { ok: false; error: string };
  /** console messages of type error or warning, and uncaught page errors */
  complaints: string[];
}

/** Starts headless Chromium with a fresh profile, runs `use` with a function that loads a URL and waits for the page's result, then closes it. */
export async function withChromium<T>(use: (load: (url: string, timeoutMs: number) => Promise<PageRun>) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    return await use(async (url, timeoutMs) => {
      const page = await browser.context.newPage();
      const complaints: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') complaints.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => complaints.push(`uncaught: ${e.message}`));
      await page.goto(url);
      await page.waitForFunction(() => (globalThis as { tapegradResult?: unknown }).tapegradResult !== undefined, undefined, { timeout: timeoutMs });
      const outcome = (await page.evaluate(() => (globalThis as { tapegradResult?: unknown }).tapegradResult)) as PageRun['outcome'];
      await page.close();
      return { outcome, complaints };
    });
  } finally {
    await browser.close();
  }
}

/** A page to load: its site (in memory, or a folder), served cross-origin isolated or not, and the path to open. */
export interface PageToLoad {
  site: Site | string;
  isolated: boolean;
  path: string;
}

/** Loads each page in one headless Chromium, each from its own server; their runs by name. */
export async function loadPages<Name extends string>(pages: Record<Name, PageToLoad>, timeoutMs: number): Promise<Record<Name, PageRun>> {
  const runs = {} as Record<Name, PageRun>;
  await withChromium(async (load) => {
    for (const name of Object.keys(pages) as Name[]) {
      const { site, isolated, path } = pages[name];
      const server = await serve(site, { isolated });
      try {
        runs[name] = await load(new URL(path, server.url).href, timeoutMs);
      } finally {
        await server.close();
      }
    }
  });
  return runs;
}
