import { describe, expect, it } from 'vitest';
import { arange, DataLoader, Random, tensor } from '../index.ts';
import { getBackend, isResident } from '../kernels/index.ts';
import { residentArray } from '../kernels/internal.ts';

describe('DataLoader', () => {
  it('batches tensors and typed arrays in order, the last batch smaller unless dropLast', () => {
    const x = arange(10).reshape([5, 2]);
    const y = Int32Array.from([0, 1, 2, 3, 4]);
    const batches = [...new DataLoader([x, y], { batchSize: 2, reuseBuffers: false })];
    expect(batches.map(([bx]) => bx.toArray())).toEqual([[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9]]]);
    expect(batches.map(([, by]) => Array.from(by))).toEqual([[0, 1], [2, 3], [4]]);
    expect(batches[2][1]).toBeInstanceOf(Int32Array);
    const dropped = new DataLoader([x, y], { batchSize: 2, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped]).toHaveLength(2);
  });

  it('shuffles each pass with a seeded generator: a permutation, a new one per pass, the same for the same seed', () => {
    const y = Int32Array.from({ length: 50 }, (_, i) => i);
    const pass = (loader: DataLoader<[Int32Array]>) => {
      const seen: number[] = [];
      for (const [b] of loader) seen.push(...b); // inside the loop: the next batch refills the buffer
      return seen;
    };
    const a = new DataLoader([y], { batchSize: 8, shuffle: true, rng: new Random(3) });
    const first = pass(a);
    const second = pass(a);
    expect([...first].sort((p, q) => p - q)).toEqual(Array.from(y));
    expect(first).not.toEqual(Array.from(y));
    expect(second).not.toEqual(first);
    expect(pass(new DataLoader([y], { batchSize: 8, shuffle: true, rng: new Random(3) }))).toEqual(first);
  });

  it('keeps the rows of every column together, for { data, shape } columns too', () => {
    const images = { data: Uint8Array.from({ length: 12 }, (_, i) => i), shape: [6, 2] };
    const labels = Float64Array.from([0, 1, 2, 3, 4, 5]);
    for (const [im, lab] of new DataLoader([images, labels], { batchSize: 4, shuffle: true, rng: new Random(1) })) {
      expect(im.data).toBeInstanceOf(Uint8Array);
      expect(im.shape).toEqual([lab.length, 2]);
      lab.forEach((l, r) => expect([im.data[2 * r], im.data[2 * r + 1]]).toEqual([2 * l, 2 * l + 1]));
    }
  });

  it('reuses one buffer per batch size, so a pass allocates nothing per batch; the data set is never copied', () => {
    const x = tensor(Float32Array.from({ length: 40 }, (_, i) => i), { shape: [20, 2] });
    const loader = new DataLoader([x], { batchSize: 6, shuffle: true, rng: new Random(2) });
    const buffers = new Set<unknown>();
    for (let epoch = 0; epoch < 3; epoch++) for (const [b] of loader) buffers.add(b.data);
    expect(buffers.size).toBe(2); // one for the full batches, one for the last batch of 2
    expect(Array.from(x.data.subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });

  it('gathers large float batches into resident buffers (the kernels use them in place), labels into ordinary arrays', () => {
    const x = tensor(Float32Array.from({ length: 64 * 784 }, (_, i) => i % 255), { shape: [64, 784] });
    const y = Int32Array.from({ length: 64 }, (_, i) => i % 10);
    const [[bx, by]] = new DataLoader([x, y], { batchSize: 32 });
    expect(isResident(bx.data)).toBe(getBackend() === 'wasm' && residentArray('float32', 1) !== null);
    expect(Array.from(bx.data.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(by).toBeInstanceOf(Int32Array);
  });

  it('a batch tensor overwritten by the next batch is at a new version: backward through it is refused', () => {
    const x = arange(8, { dtype: 'float64' }).reshape([4, 2]);
    const W = tensor([[1], [2]], { dtype: 'float64', requiresGrad: true });
    const batches = new DataLoader([x], { batchSize: 2 })[Symbol.iterator]();
    const [x1] = batches.next().value!;
    const loss = x1.matmul(W).sum();
    batches.next(); // refills x1's buffer with rows 2 and 3
    expect(x1.version).toBe(1);
    expect(() => loss.backward()).toThrow(/a float64 tensor \[2, 2\], argument 0 of matmul, is at version 1; expected version 0/);
  });

  it('the generator state checkpoints the order: restoring it repeats the next pass', () => {
    const y = Int32Array.from({ length: 30 }, (_, i) => i);
    const rng = new Random(5);
    const loader = new DataLoader([y], { batchSize: 30, shuffle: true, rng });
    [...loader];
    const saved = JSON.parse(JSON.stringify(rng.getState())) as number[];
    const next = Array.from([...loader][0][0]);
    rng.setState(saved);
    expect(Array.from([...loader][0][0])).toEqual(next);
  });

  it('rejects mismatched columns and bad options with messages naming them', () => {
    expect(() => new DataLoader([arange(4), Int32Array.from([1, 2])])).toThrow('DataLoader: column 1 has 2 samples but column 0 has 4; expected the same number of samples in every column');
    expect(() => new DataLoader([arange(4)], { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer, got 0');
    expect(() => new DataLoader([{ data: new Uint8Array(5), shape: [2, 2] }])).toThrow('DataLoader: column 0 has 5 values but shape [2, 2] needs 4');
    expect(() => new DataLoader([[1, 2] as never])).toThrow(/column 0 is object; expected a Tensor/);
  });
});
