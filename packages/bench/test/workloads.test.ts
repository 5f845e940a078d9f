import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { jsonReport, runWorkload, WORKLOADS, workloadByName } from '@tapegrad/bench';
import { encodeIdx } from '@tapegrad/bench/internal';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../src/scratch-dir.test-helper.ts';
import { describeEachBackend } from './each-backend.ts';

// The named workloads end to end, as the CLI runs them (equality only; `wide` takes seconds per step in the
// reference kernels, so it is left to `pnpm bench --quick` and, at its shapes, to cross-backend.test.ts). The
// equality runs repeat on every kernel backend; speed is run once, for its shape, never timed.

describe('workloads', () => {
  it('are the four of the issue', () => {
    expect(WORKLOADS.map((w) => [w.name, w.sizes.join('-'), w.activation, w.batch])).toEqual([
      ['chapter', '2-2-2-3', 'sigmoid', 3],
      ['spiral', '2-64-64-3', 'relu', 256],
      ['mnist-mlp', '784-256-256-10', 'relu', 128],
      ['wide', '784-1024-1024-10', 'relu', 256],
    ]);
    expect(() => workloadByName('mnist')).toThrow(/unknown workload "mnist"; expected one of chapter, spiral, mnist-mlp, wide/);
  });

  it('training lowers the loss of the spiral', async () => {
    const r = await runWorkload(workloadByName('spiral'), 'float64', { steps: 30, speed: false });
    const l = r.losses.manual;
    expect(l[l.length - 1]).toBeLessThan(l[0]);
  });

  it('a passing workload gets a speed figure, in the JSON shape of the issue', async () => {
    const r = await runWorkload(workloadByName('chapter'), 'float64', { quick: true, speedBudgetS: 4 });
    const json = jsonReport([r]) as { workloads: Record<string, any>[] };
    const w = json.workloads[0];
    expect(w).toMatchObject({ name: 'chapter', sizes: [2, 2, 2, 3], activation: 'sigmoid', batch: 3, dtype: 'float64' });
    expect(Object.keys(w.equality)).toEqual(expect.arrayContaining(['pass', 'exact', 'maxAbs', 'maxRel', 'maxUlps', 'firstDivergence']));
    expect(Object.keys(w.speed)).toEqual(expect.arrayContaining(['autogradMs', 'manualMs', 'ratio', 'rme']));
    expect(w.speed.autogradMs).toBeGreaterThan(0);
    expect(w.speed.ratio).toBeCloseTo(w.speed.autogradMs / w.speed.manualMs, 10);
    expect(w.speed.figures.map((f: { engine: string; phase: string }) => `${f.engine} ${f.phase}`)).toEqual([
      'autograd step',
      'autograd forward',
      'autograd backward',
      'manual step',
      'manual forward',
      'manual backward',
    ]);
    // the machine's speed, sampled before each of the 3 phases × 2 engines × 3 rounds and once after the last
    expect(w.speed.machine).toMatchObject({ samples: 19, product: expect.stringMatching(/^float32 \d+×\d+×\d+ matrix product, 1 thread/) });
    expect(w.speed.machine.minGflops).toBeGreaterThan(0);
    expect(w.speed.machine.minGflops).toBeLessThanOrEqual(w.speed.machine.medianGflops);
    expect(w.speed.machine.medianGflops).toBeLessThanOrEqual(w.speed.machine.maxGflops);
  });

  it('mnist-mlp trains on IDX files with --data', async () => {
    // 300 random 28 × 28 "digits", gzipped, as MNIST is distributed
    const dir = scratchDir('mnist');
    const count = 300;
    let s = 1;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pixels = Array.from({ length: count * 784 }, () => (rand() < 0.8 ? 0 : Math.floor(rand() * 256)));
    const labels = Array.from({ length: count }, () => Math.floor(rand() * 10));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([count, 28, 28], pixels)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([count], labels)));
    const r = await runWorkload(workloadByName('mnist-mlp'), 'float32', { dataDir: dir, steps: 2, speed: false });
    expect(r.data).toBe('mnist');
    expect(r.equality.pass).toBe(true);
  });
});

describeEachBackend('the workloads', (backend) => {
  for (const name of ['chapter', 'spiral', 'mnist-mlp']) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${name} ${dtype}: the engines agree at every lockstep step`, async () => {
        const r = await runWorkload(workloadByName(name), dtype, { quick: true, speed: false });
        expect(r.backend).toBe(backend);
        expect(r.equality.pass, JSON.stringify(r.equality.firstDivergence)).toBe(true);
        expect(r.equality.finiteDifferences.pass).toBe(true);
        expect(r.losses.autograd).toHaveLength(r.steps);
        expect(r.speed).toBeNull();
        expect(r.speedNote).toMatch(/--no-speed/);
      });
    }
  }
});
