import { describe, expect, it } from 'vitest';
import { WORKLOADS } from '../workloads.ts';
import { chapterDataset } from './chapter.ts';
import { checkDataset, headOf, makeBatches } from './dataset.ts';
import { loadDataset } from './load.ts';
import { spiralDataset } from './spiral.ts';
import { syntheticDataset } from './synthetic.ts';

describe('data sets', () => {
  it('spiral: 3 arms of points inside the unit disc, seeded', () => {
    const ds = spiralDataset({ perClass: 100, seed: 3 });
    expect(ds).toMatchObject({ count: 300, features: 2, classes: 3 });
    for (let i = 0; i < ds.count; i++) expect(Math.hypot(ds.x[2 * i], ds.x[2 * i + 1])).toBeLessThanOrEqual(1 + 1e-12);
    expect([0, 1, 2].map((k) => ds.labels.filter((l) => l === k).length)).toEqual([100, 100, 100]);
    expect(spiralDataset({ perClass: 100, seed: 3 }).x).toEqual(ds.x);
    expect(spiralDataset({ perClass: 100, seed: 4 }).x).not.toEqual(ds.x);
  });

  it('synthetic MNIST: pixels in [0, 1], mostly 0, every class present, seeded', () => {
    const ds = syntheticDataset({ count: 500, seed: 1 });
    expect(ds).toMatchObject({ count: 500, features: 784, classes: 10 });
    expect(ds.x.reduce((a, v) => Math.min(a, v), Infinity)).toBe(0);
    expect(ds.x.reduce((a, v) => Math.max(a, v), -Infinity)).toBeLessThanOrEqual(1);
    const zeros = ds.x.filter((v) => v === 0).length / ds.x.length;
    expect(zeros).toBeGreaterThan(0.7);
    expect(new Set(ds.labels).size).toBe(10);
    expect(syntheticDataset({ count: 500, seed: 1 }).x).toEqual(ds.x);
  });

  it("the chapter's batch is the PyTorch reference case's", () => {
    const ds = checkDataset(chapterDataset());
    expect(ds.count).toBe(3);
    expect(Array.from(ds.labels)).toEqual([1, 0, 2]);
  });

  it('every workload loads data that fits its network', () => {
    for (const w of WORKLOADS) {
      const ds = loadDataset(w, { samples: 2 * w.batch });
      expect(ds.features).toBe(w.sizes[0]);
      expect(ds.count).toBeGreaterThanOrEqual(w.batch);
    }
  });
});

describe('batches', () => {
  it('are seeded shuffles, epoch after epoch', () => {
    const ds = spiralDataset({ perClass: 10, seed: 1 });
    const a = makeBatches(ds, 8, 10, 5);
    const b = makeBatches(ds, 8, 10, 5);
    expect(a.length).toBe(10);
    expect(a.map((x) => Array.from(x.labels))).toEqual(b.map((x) => Array.from(x.labels)));
    expect(a[0]).toMatchObject({ N: 8, d: 2 });
    expect(a[0].x.length).toBe(16);
    // within one epoch (30 samples → 3 batches of 8) no sample repeats
    const seen = new Set<string>();
    for (const batch of a.slice(0, 3)) for (let r = 0; r < 8; r++) seen.add(`${batch.x[2 * r]},${batch.x[2 * r + 1]}`);
    expect(seen.size).toBe(24);
  });

  it('a data set of exactly one batch is used whole and in order', () => {
    const [b0, b1] = makeBatches(chapterDataset(), 3, 2, 1);
    expect(Array.from(b0.labels)).toEqual([1, 0, 2]);
    expect(b1).toBe(b0);
  });

  it('rejects batches larger than the data, and cuts heads', () => {
    expect(() => makeBatches(chapterDataset(), 4, 1, 1)).toThrow(/batch of 4 from chapter, which has only 3 samples/);
    const [b] = makeBatches(spiralDataset({ perClass: 10 }), 8, 1, 1);
    expect(headOf(b, 3)).toMatchObject({ N: 3 });
    expect(headOf(b, 3).x).toEqual(b.x.slice(0, 6));
    expect(headOf(b, 100)).toBe(b);
  });
});
