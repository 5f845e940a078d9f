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
    backend: 'wasm', seed: 6, sizes: [784, 256, 128, 10], batch: 128, lr: 1e-3, train: 3840, test: 1000, dir: '/data', runs,
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

  it('plots the engines\' and peers\' times per step and phase on a log scale, every point inside the plot', async () => {
    const dir = scratchDir('report-time');
    const r = await runWorkload(workloadByName('chapter'), 'float32', { steps: 3, speed: false });
    const figure = (engine: string, phase: 'step' | 'forward' | 'backward', medianMs: number) => ({ engine, phase, hz: 1000 / medianMs, rme: 1, medianMs, meanMs: medianMs, samples: 50 });
    const figures = [figure('autograd', 'step', 0.005), figure('autograd', 'forward', 0.0013), figure('manual', 'step', 0.0025), figure('manual', 'backward', 0.0005)];
    const speed = { autogradMs: 0.005, manualMs: 0.0025, ratio: 2, rme: 1, figures, plan: { phases: ['step', 'forward', 'backward'], minSamples: 5, maxTime: 0.1 }, machine: null };
    const peer = { ...r.peers[0], name: 'torch ×1', speed: { medianMs: 0.07 } };
    const timed = { ...r, speed, peers: [peer] } as unknown as typeof r;
    const html = readFileSync(await writeHtmlReport(dir, { results: [timed], fashion: null, markdown: '# report\n', title: 'test' }), 'utf8');
    const svg = html.slice(html.indexOf('Time per training step'));
    const plot = svg.slice(0, svg.indexOf('</svg>'));
    // the x axis spans the values (a log scale from 0 is the empty plot of a bar chart), one mark per figure
    expect(plot).toMatch(/X-axis titled 'median ms' for a log scale with values from 0\.0001 to 0\.1/);
    for (const ms of ['0.005', '0.001', '0.003', '0.070']) expect(plot).toContain(`ms: ${ms}`);
    const xs = [...plot.matchAll(/aria-label="median ms: [^"]*"[^>]*transform="translate\(([-\d.]+),/g)].map((m) => Number(m[1]));
    expect(xs.length).toBe(5);
    for (const x of xs) expect(x >= 0 && x <= 520).toBe(true);
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
