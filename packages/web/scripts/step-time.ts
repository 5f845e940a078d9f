// The spiral's step time in headless Chromium (the built page, cross-origin isolated) against Node's, for the same
// workload: the bench's spiral (2-64-64-3 ReLU, float32, batches of 256, SGD at 0.5, seed 2), both engines in
// lockstep, only each engine's own step() timed. Run from the repository root:
//   pnpm --filter @tapegrad/web run step-time [steps]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPage } from '../test/build.ts';
import { chromiumMissing, launchChromium } from '../../../test/support/chromium.ts';
import { serve } from '../../../test/support/static-server.ts';
import type { StepRecord } from '../src/training/trainer.ts';
import { LockstepTrainer, SPIRAL } from '../src/training/trainer.ts';
import type { PageState } from '../src/hook.ts';

const steps = Number(process.argv[2] ?? 400);
/** The first steps (the JIT warming up) are left out of the figures. */
const WARM = 50;

function figures(label: string, records: readonly StepRecord[]): string[] {
  const kept = records.slice(WARM);
  const stat = (k: 'msManual' | 'msAutograd') => {
    const v = kept.map((r) => r[k]).sort((a, b) => a - b);
    return `${v[v.length >> 1].toFixed(3)} ms median, ${(v.reduce((s, x) => s + x, 0) / v.length).toFixed(3)} ms mean`;
  };
  return [`${label}: manual ${stat('msManual')}; autograd ${stat('msAutograd')}`];
}

const missing = chromiumMissing();
if (missing !== null) throw new Error(`step-time: ${missing}`);
const dir = await buildPage();
const server = await serve(join(dir, 'site'), { isolated: true });
const browser = await launchChromium();
const page = await browser.context.newPage();
await page.goto(server.url);
type Hooked = Window & { __tapegrad: PageState };
await page.waitForFunction(() => (window as unknown as Hooked).__tapegrad?.kernels.worker != null);
await page.fill('#stop-at', String(steps));
await page.click('#start');
await page.waitForFunction((n) => (window as unknown as Hooked).__tapegrad.training.total >= n && !(window as unknown as Hooked).__tapegrad.training.running, steps, { timeout: 600_000 });
const inPage = await page.evaluate(() => ({ records: (window as unknown as Hooked).__tapegrad.training.records, kernels: (window as unknown as Hooked).__tapegrad.kernels.worker, ua: navigator.userAgent }));
await browser.close();
await server.close();
rmSync(dir, { recursive: true, force: true });

const trainer = new LockstepTrainer(SPIRAL);
const inNode = Array.from({ length: steps }, () => trainer.step());

console.log(`spiral ${SPIRAL.sizes.join('-')} ${SPIRAL.activation} ${SPIRAL.dtype}, batch ${SPIRAL.batch}, ${steps} lockstep steps (first ${WARM} left out)`);
console.log(...figures(`Chromium (${inPage.ua.match(/Chrome\/[\d.]+/)?.[0]}, wasm ${inPage.kernels?.fma ? 'FMA' : 'SIMD'}, ${inPage.kernels?.threads} threads)`, inPage.records));
console.log(...figures(`Node ${process.version}`, inNode));
