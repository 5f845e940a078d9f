import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ulpsFloat64 } from '@tapegrad/bench/core';
import { chapterExample as ex, ManualMLP } from '@tapegrad/manual';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageState } from '../src/hook.ts';
import type { StepRecord } from '../src/training/trainer.ts';
import { LockstepTrainer, SPIRAL } from '../src/training/trainer.ts';
import { buildPage, WEB_ROOT } from './build.ts';
import { type Browser, chromiumMissing, launchChromium } from '../../../test/support/chromium.ts';
import { serve } from '../../../test/support/static-server.ts';

// The built page (vite build, as `pnpm web:build`), served from 127.0.0.1 by a plain static server, once with the
// headers that make it cross-origin isolated and once without, opened in Debian's headless chromium. What it shows is
// checked against the engines run here in Node: the chapter's table entry by entry, and the spiral's training step by
// step. Screenshots go to packages/web/test-results/ (docs/web-*.png are two of them).

const missing = chromiumMissing();
const SHOTS = join(WEB_ROOT, 'test-results');
const STEPS = 100;

type Hooked = Window & { __tapegrad: PageState };

/** Every number the page shows in the chapter's table, by symbol key and engine, as exact values. */
async function tableValues(page: Page): Promise<Record<string, { manual: number[]; autograd: number[]; ulps: number[] }>> {
  return page.$$eval('[data-key][data-engine]', (cells) => {
    const out: Record<string, { manual: number[]; autograd: number[]; ulps: number[] }> = {};
    for (const c of cells as HTMLElement[]) {
      const { key, engine, index, value } = c.dataset;
      const row = (out[key!] ??= { manual: [], autograd: [], ulps: [] });
      row[engine as 'manual'][Number(index)] = Number(value);
    }
    return out;
  });
}

/** The manual engine's trace in Node, keyed as the page keys its rows. */
function nodeTrace(x: number[], label: number, params = ex.params): Record<string, number[]> {
  const t = new ManualMLP({ sizes: ex.sizes, activation: ex.activation, dtype: 'float64', params }).trace([x], [label]);
  const out: Record<string, number[]> = { loss: [t.loss] };
  for (const L of t.layers) {
    out[`z${L.l}`] = Array.from(L.z.data);
    out[`a${L.l}`] = Array.from(L.a.data);
    out[`delta${L.l}`] = Array.from(L.delta.data);
    out[`dW${L.l}`] = Array.from(L.dW.data);
    out[`db${L.l}`] = Array.from(L.db.data);
  }
  return out;
}

function expectTable(shown: Awaited<ReturnType<typeof tableValues>>, node: Record<string, number[]>): void {
  expect(Object.keys(shown).sort()).toEqual(Object.keys(node).sort());
  for (const [key, values] of Object.entries(node)) {
    expect(shown[key].manual, `${key}, manual engine`).toEqual(values); // bit for bit: toEqual compares numbers with Object.is
    // autograd beside it: the same to rounding (float64), and the ulps column is the distance between the two
    const scale = Math.max(1, ...values.map(Math.abs));
    shown[key].autograd.forEach((v, i) => expect(Math.abs(v - values[i]), `${key}[${i}], autograd`).toBeLessThanOrEqual(1e-14 * scale));
    expect(shown[key].ulps, `${key}, ulps`).toEqual(values.map((v, i) => ulpsFloat64(v, shown[key].autograd[i])));
  }
}

describe.skipIf(missing !== null)(`the page in headless Chromium${missing === null ? '' : ` (skipped: ${missing})`}`, () => {
  let dir: string;
  let browser: Browser;
  let node: StepRecord[];

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    [dir, browser] = await Promise.all([buildPage(), launchChromium()]);
    const trainer = new LockstepTrainer({ ...SPIRAL });
    node = Array.from({ length: STEPS }, () => trainer.step());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const isolated of [true, false]) {
    const name = isolated ? 'isolated' : 'not-isolated';
    it(`${isolated ? 'cross-origin isolated (COOP/COEP)' : 'without the isolation headers'}: the chapter's numbers, ${STEPS} lockstep steps, the wasm kernels`, async () => {
      // the static site from its own folder, and from a folder below the server's root (its URLs are relative)
      const server = await serve(isolated ? join(dir, 'site') : dir, { isolated });
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(isolated ? server.url : `${server.url}site/`);
        await page.waitForFunction(() => (window as unknown as Hooked).__tapegrad?.chapterReady && (window as unknown as Hooked).__tapegrad.kernels.worker !== null);

        // the kernels: wasm in the page and in the worker, threads exactly where the page is isolated
        const { kernels, cores } = await page.evaluate(() => ({ kernels: (window as unknown as Hooked).__tapegrad.kernels, cores: navigator.hardwareConcurrency }));
        expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
        expect(kernels.page).toMatchObject({ backend: 'wasm', isolated });
        expect(kernels.worker).toMatchObject({ backend: 'wasm', isolated, threads: isolated ? Math.min(cores, 8) : 1 });
        if (isolated) expect(kernels.worker!.threads).toBeGreaterThan(1);
        expect(await page.textContent('#isolation')).toContain(isolated ? 'is cross-origin isolated' : 'not cross-origin isolated');

        // the chapter's table equals the manual engine in Node, bit for bit, before and after an edit
        expectTable(await tableValues(page), nodeTrace([...ex.sample.x], 2));
        await page.locator('main > section').first().screenshot({ path: join(SHOTS, `chapter-${name}.png`) });
        await page.fill('#x1', '0.3');
        await page.selectOption('#label', '0');
        await page.fill('#W2-1-0', '-0.7');
        const edited = { ...ex.params, W: ex.params.W.map((Wl, l) => Wl.map((row, i) => row.map((v, j) => (l === 1 && i === 1 && j === 0 ? -0.7 : v)))) };
        expectTable(await tableValues(page), nodeTrace([0.3, ex.sample.x[1]], 0, edited));
        await page.fill('#W2-1-0', '');
        expect(await page.textContent('.error')).toBe('W²[2][1] is empty; expected a number');
        await page.click('#chapter-reset');

        // training: STEPS lockstep steps, the engines agreeing at every one, the losses falling, as in Node
        await page.fill('#stop-at', String(STEPS));
        await page.click('#start');
        await page.waitForFunction((n) => (window as unknown as Hooked).__tapegrad.training.total >= n && !(window as unknown as Hooked).__tapegrad.training.running, STEPS, { timeout: 90_000 });
        const training = await page.evaluate(() => (window as unknown as Hooked).__tapegrad.training);
        expect(training.error).toBeNull();
        expect(training.records.map((r) => r.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
        expect(training.records.filter((r) => !r.pass)).toEqual([]);
        expect(training.records.every((r) => r.exact)).toBe(true); // the spiral in float32 is bit-exact in Node (the bench) and here
        expect(training.drift).toMatchObject({ exact: true, maxUlps: 0 });
        const mean = (rs: StepRecord[], k: 'lossManual' | 'lossAutograd') => rs.reduce((s, r) => s + r[k], 0) / rs.length;
        for (const k of ['lossManual', 'lossAutograd'] as const) expect(mean(training.records.slice(-10), k)).toBeLessThan(0.25 * mean(training.records.slice(0, 10), k));
        expect(training.accuracy).toBeGreaterThan(0.9);
        // the same numbers as Node's engines on the same workload, step for step, in float32: the manual engine's loss
        // is a double summed from Math.log of float32 probabilities, and Chromium's V8 and Node 20's may round that
        // last bit differently (they do at step 11), while every float32 parameter and gradient is the same
        const f32 = (rs: StepRecord[]) => rs.map((r) => [Math.fround(r.lossManual), r.lossAutograd]);
        expect(f32(training.records)).toEqual(f32(node));
        expect(await page.textContent('#agreement')).toContain(`Bit-exact`);
        await page.waitForTimeout(300); // the last frame's charts
        await page.locator('main > section').nth(1).screenshot({ path: join(SHOTS, `training-${name}.png`) });

        // pause stops a run in the middle; reset starts again from step 0
        await page.fill('#stop-at', '0');
        await page.click('#start');
        await page.waitForFunction((n) => (window as unknown as Hooked).__tapegrad.training.total >= n + 20, STEPS);
        await page.click('#pause');
        await page.waitForFunction(() => !(window as unknown as Hooked).__tapegrad.training.running);
        const paused = await page.evaluate(() => (window as unknown as Hooked).__tapegrad.training.total);
        await page.waitForTimeout(300);
        expect(await page.evaluate(() => (window as unknown as Hooked).__tapegrad.training.total)).toBe(paused);
        await page.click('#reset');
        await page.waitForFunction(() => (window as unknown as Hooked).__tapegrad.training.total === 0 && (window as unknown as Hooked).__tapegrad.training.records.length === 0);
        // a network the spiral cannot have is refused with the reason, on the page
        await page.fill('#sizes', '2-64-4');
        await page.click('#reset');
        expect(await page.textContent('#training .error')).toBe('sizes 2-64-4: the spiral has 3 classes, so the last size must be 3');

        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await server.close();
      }
    }, 120_000);
  }
});
