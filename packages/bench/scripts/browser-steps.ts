// Training step times of the same networks in headless Chromium (cross-origin isolated: worker threads; not: one
// thread) and in Node, for the closing note: `pnpm --filter @tapegrad/bench exec tsx scripts/browser-steps.ts [steps]`.
// Median and fastest ms of one autograd step (forward, backward, SGD update) and one manual sgdStep, float32, on the spiral's
// shape (2-64-64-3, 256 rows) and the mnist-mlp shape (784-256-256-10, 128 rows). Needs /usr/bin/chromium.
import { initKernels } from '@tapegrad/autograd';
import { chromiumMissing } from '../../../test/support/chromium.ts';
import { serve } from '../../../test/support/static-server.ts';
import { bundlePage, esbuildSite, withChromium } from '../test/browser/harness.ts';
import { type StepTime, stepTimes } from '../test/browser/workload.ts';

type Times = Record<'spiral' | 'mnist', { autograd: StepTime; manual: StepTime }>;

const steps = Number(process.argv[2] ?? 30);
const missing = chromiumMissing();
if (missing !== null) throw new Error(missing);

const site = esbuildSite(await bundlePage());
const rows: [string, number, Times][] = [];
await withChromium(async (load) => {
  for (const isolated of [true, false]) {
    const server = await serve(site, { isolated });
    try {
      const run = await load(`${server.url}?time=${steps}`, 600_000);
      if (!run.outcome.ok) throw new Error(run.outcome.error);
      const r = run.outcome.result as { kernels: { threads: number }; times: Times };
      rows.push([`Chromium, ${isolated ? 'cross-origin isolated' : 'not isolated'}`, r.kernels.threads, r.times]);
    } finally {
      await server.close();
    }
  }
});
const ready = await initKernels();
rows.push(['Node ' + process.version, ready.threads, { spiral: stepTimes('spiral', steps, 5), mnist: stepTimes('mnist', steps, 3) }]);

const ms = (t: StepTime): string => `${t.median.toFixed(2)} (${t.min.toFixed(2)})`;
console.log(`ms per training step, median (fastest) of ${steps} steps after warm-up, float32`);
console.log('| runtime | threads | spiral autograd | spiral manual | mnist-mlp autograd | mnist-mlp manual |');
console.log('| --- | --: | --: | --: | --: | --: |');
for (const [name, threads, t] of rows) {
  console.log(`| ${name} | ${threads} | ${ms(t.spiral.autograd)} | ${ms(t.spiral.manual)} | ${ms(t.mnist.autograd)} | ${ms(t.mnist.manual)} |`);
}
