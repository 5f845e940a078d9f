import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { FashionResult } from './fashion.ts';
import { timeToAccuracy } from './fashion.ts';
import { writeHtmlReport } from './html-report.ts';
import { runWorkload } from './run.ts';
import { scratchDir } from './scratch-dir.test-helper.ts';
import { workloadByName } from './workloads.ts';

// The HTML report of --report: its plots are SVG rendered in Node (Vega), and the page shows them in a real browser
// (Debian's /usr/bin/chromium, headless, driven by playwright-core; never a downloaded browser) without errors.

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A fashion result of two engines and a peer over three epochs (the numbers only need to be plausible). */
function fashionResult(): FashionResult {
  const epochs = (acc: number[], s: number) => acc.map((accuracy, i) => ({ epoch: i + 1, loss: 0.6 - 0.1 * i, accuracy, seconds: s }));
  const losses = Array.from({ length: 30 }, (_, i) => 2 * Math.exp(-i / 10) + 0.3);
  const runs = [
    { name: 'autograd', threads: 2, epochs: epochs([0.84, 0.86, 0.87], 3.5), stepLosses: losses, phases: { forward: 2 } },
    { name: 'manual', threads: 2, epochs: epochs([0.84, 0.86, 0.87], 3.1), stepLosses: losses },
    { name: 'PyTorch ×1', threads: 1, epochs: epochs([0.84, 0.86, 0.871], 4.2) },
  ];
  return {
    sizes: [784, 256, 128, 10], batch: 128, lr: 1e-3, train: 3840, test: 1000, dir: '/data', runs,
    parameterUlps: [0, 0, 0], lossUlps: losses.map(() => 0), torch: { detail: 'PyTorch (test)', check: { pass: true, maxRel: 1e-6 } },
    timeToAccuracy: timeToAccuracy(runs),
  };
}

describe('the HTML report', () => {
  it('writes index.html with one inline SVG per plot, and report.md', async () => {
    const dir = scratchDir('report');
    const r = await runWorkload(workloadByName('chapter'), 'float64', { steps: 3, speed: false });
    const file = await writeHtmlReport(dir, { results: [r], fashion: fashionResult(), markdown: '# report\n', title: 'test' });
    const html = readFileSync(file, 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(4); // losses, ulps, fashion accuracy, fashion losses (no speed: no time plot)
    expect(html).toContain('test accuracy');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe('# report\n');
  });

  it.skipIf(!existsSync(CHROMIUM))(`renders in headless Chromium: SVG plots present, no console errors${existsSync(CHROMIUM) ? '' : ` (skipped: no ${CHROMIUM})`}`, async () => {
    const dir = scratchDir('report-browser');
    const r = await runWorkload(workloadByName('chapter'), 'float32', { steps: 3, speed: false });
    const file = await writeHtmlReport(dir, { results: [r], fashion: fashionResult(), markdown: '# report\n', title: 'test' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${file}`);
      const svgs = await page.locator('figure svg').count();
      expect(svgs).toBe(4);
      // drawn: every plot has marks with a size on the page
      for (let i = 0; i < svgs; i++) {
        const box = await page.locator('figure svg').nth(i).boundingBox();
        expect(box?.width).toBeGreaterThan(100);
        expect(await page.locator('figure svg').nth(i).locator('path, line, rect').count()).toBeGreaterThan(10);
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
