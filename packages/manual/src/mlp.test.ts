import { Random } from '@tapegrad/autograd/kernels';
import { describe, expect, it } from 'vitest';
import { ManualMLP } from './mlp.ts';
import type { XInput, YInput } from './types.ts';

// The public API: input forms, buffer reuse, copies, parameters in and out, initialisation, training.

const sizes = [3, 5, 4];
const x = [
  [0.5, -1.2, 0.3],
  [1.1, 0.4, -0.7],
];
const labels = [3, 1];
const rows = [
  [0, 0, 0, 1],
  [0, 1, 0, 0],
];
const net = (dtype: 'float32' | 'float64' = 'float64') => new ManualMLP({ sizes, activation: 'sigmoid', dtype, seed: 4 });
const flat = (g: { data: ArrayLike<number> }) => Array.from(g.data);

describe('ManualMLP', () => {
  it('forward returns a^n = softmax(z^n), rows summing to 1, in the chosen dtype', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const out = net(dtype).forward(x);
      expect(out.shape).toEqual([2, 4]);
      expect(out.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      for (let r = 0; r < 2; r++) expect(Array.from(out.data.subarray(r * 4, r * 4 + 4)).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
    expect(new ManualMLP({ sizes, activation: 'relu' }).dtype).toBe('float32');
  });

  it('forward then backward gives the same gradients as lossAndGrads', () => {
    const m = net();
    const both = m.lossAndGrads(x, labels);
    const dW = both.dW.map(flat);
    m.forward(x);
    const back = m.backward(labels);
    expect(back.dW.map(flat)).toEqual(dW);
    expect(back.db[1].shape).toEqual([4]);
    expect(back.dW[0].shape).toEqual([3, 5]);
  });

  it('accepts x as nested rows, one flat row, or a flat buffer with its shape', () => {
    const m = net();
    const expected = flat(m.forward(x)).slice(0, 4);
    const forms: XInput[] = [[x[0]], x[0], Float64Array.from(x[0]), { data: Float64Array.from(x[0]), shape: [1, 3] }, { data: x[0], shape: [3] }];
    for (const form of forms) expect(flat(m.forward(form))).toEqual(expected);
    expect(flat(m.forward({ data: Float64Array.from(x.flat()), shape: [2, 3] }))).toEqual(flat(m.forward(x)));
    expect(flat(m.forward(x.map((row) => Float32Array.from(row))))).toEqual(flat(m.forward(x.map((row) => row.map(Math.fround)))));
  });

  it('accepts y as class indices or one-hot rows, in every form, with the same loss and gradients', () => {
    const m = net();
    const ref = m.lossAndGrads(x, labels);
    const [loss, dW] = [ref.loss, ref.dW.map(flat)];
    const forms: YInput[] = [rows, rows.map((row) => Float64Array.from(row)), Int32Array.from(labels), { data: Float64Array.from(rows.flat()), shape: [2, 4] }, { data: labels, shape: [2] }];
    for (const y of forms) {
      const got = m.lossAndGrads(x, y);
      expect(got.loss).toBe(loss);
      expect(got.dW.map(flat)).toEqual(dW);
    }
    const one = m.lossAndGrads(x[0], 3);
    for (const y of [[3], rows[0], [rows[0]]]) expect(m.lossAndGrads(x[0], y).loss).toBe(one.loss);
  });

  it('accepts probability rows only when asked for with { probabilities }; one-hot probabilities equal labels', () => {
    const m = net();
    const ref = m.lossAndGrads(x, labels);
    const [loss, db] = [ref.loss, ref.db.map(flat)];
    const soft = m.lossAndGrads(x, { probabilities: rows });
    expect(soft.loss).toBeCloseTo(loss, 14);
    soft.db.map(flat).forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(db[i][j], 15)));
    expect(() => m.lossAndGrads(x, [[0.5, 0.5, 0, 0], rows[1]])).toThrow('is not one-hot');
    expect(m.lossAndGrads(x, { probabilities: [[0.5, 0.5, 0, 0], rows[1]] }).loss).toBeGreaterThan(0);
  });

  it('reuses its buffers: returned gradients and a^n are views valid until the next call', () => {
    const m = net();
    const first = m.lossAndGrads(x, labels);
    const dW0 = flat(first.dW[0]);
    const second = m.lossAndGrads([x[1], x[0]], [1, 0]);
    expect(second.dW[0]).toBe(first.dW[0]);
    expect(second.dW[0].data).toBe(first.dW[0].data);
    expect(flat(first.dW[0])).not.toEqual(dW0);
    expect(m.forward(x)).toBe(m.forward(x));
  });

  it('trace returns copies that later calls do not change', () => {
    const m = net();
    const t = m.trace(x, labels);
    const snapshot = JSON.stringify(t.layers.map((L) => [flat(L.z), flat(L.delta), flat(L.dW)]));
    m.sgdStep(x, labels, 1);
    m.lossAndGrads([x[1], x[0]], [0, 0]);
    expect(JSON.stringify(t.layers.map((L) => [flat(L.z), flat(L.delta), flat(L.dW)]))).toBe(snapshot);
    expect(t.layers.map((L) => L.activation)).toEqual(['sigmoid', 'softmax']);
    expect(t.a0.shape).toEqual([2, 3]);
    expect(flat(t.y)).toEqual(rows.flat());
  });

  it('switches between batch sizes without mixing their buffers', () => {
    const m = net();
    const rng = new Random(9);
    const batch = (N: number) => Array.from({ length: N }, () => Array.from({ length: 3 }, () => rng.normal()));
    const batches = [1, 4, 2, 7, 3, 5, 4, 1].map((N) => ({ xb: batch(N), yb: Array.from({ length: N }, () => rng.int(4)) }));
    const fresh = batches.map(({ xb, yb }) => {
      const g = net().lossAndGrads(xb, yb);
      return [g.loss, ...g.dW.map(flat)];
    });
    batches.forEach(({ xb, yb }, i) => {
      const g = m.lossAndGrads(xb, yb);
      expect([g.loss, ...g.dW.map(flat)]).toEqual(fresh[i]);
    });
  });

  it('sgdStep returns the loss before the update and applies W ← W − lr ∂loss/∂W', () => {
    const m = net();
    const before = m.getParams();
    const { loss, dW, db } = m.lossAndGrads(x, labels);
    const [g, gb] = [dW.map(flat), db.map(flat)];
    expect(m.sgdStep(x, labels, 0.25)).toBe(loss);
    const after = m.getParams();
    after.W.forEach((Wl, l) => Wl.flat().forEach((v, i) => expect(v).toBeCloseTo(before.W[l].flat()[i] - 0.25 * g[l][i], 15)));
    after.b.forEach((bl, l) => bl.forEach((v, i) => expect(v).toBeCloseTo(before.b[l][i] - 0.25 * gb[l][i], 15)));
  });

  it.each(['float32', 'float64'] as const)('learns three separable blobs with sgdStep (%s)', (dtype) => {
    const rng = new Random(2);
    const centres = [[2, 0], [-1, 2], [-1, -2]];
    const y = Array.from({ length: 60 }, (_, i) => i % 3);
    const xb = y.map((k) => centres[k].map((c) => c + 0.5 * rng.normal()));
    const m = new ManualMLP({ sizes: [2, 8, 3], activation: 'tanh', dtype, seed: 1 });
    const start = m.lossAndGrads(xb, y).loss;
    let last = start;
    for (let step = 0; step < 200; step++) last = m.sgdStep(xb, y, 0.5);
    expect(last).toBeLessThan(0.05);
    expect(start).toBeGreaterThan(0.5);
    const predicted = m.forward(xb).data;
    const correct = y.filter((k, r) => [0, 1, 2].every((j) => predicted[r * 3 + k] >= predicted[r * 3 + j])).length;
    expect(correct).toBe(60);
  });

  it('softmax regression (no hidden layer) works, with a single name or an empty list', () => {
    for (const activation of ['relu', []] as const) {
      const m = new ManualMLP({ sizes: [3, 4], activation, dtype: 'float64', seed: 1 });
      expect(m.activations).toEqual([]);
      expect(m.lossAndGrads(x, labels).dW).toHaveLength(1);
    }
  });
});

describe('parameters', () => {
  it('getParams returns fresh nested arrays and setParams round-trips', () => {
    const m = net();
    const p = m.getParams();
    expect(p.W.map((Wl) => [Wl.length, Wl[0].length])).toEqual([[3, 5], [5, 4]]);
    expect(p.b.map((bl) => bl.length)).toEqual([5, 4]);
    p.W[0][0][0] = 123;
    expect(m.getParams().W[0][0][0]).not.toBe(123);
    m.setParams(p);
    expect(m.getParams()).toEqual(p);
    expect(m.getParams()).not.toBe(m.getParams());
  });

  it('two engines started from the same params compute the same thing; float32 rounds them', () => {
    const a = net();
    const b = new ManualMLP({ sizes, activation: 'sigmoid', dtype: 'float64', params: a.getParams() });
    expect(b.lossAndGrads(x, labels).loss).toBe(a.lossAndGrads(x, labels).loss);
    const p32 = new ManualMLP({ sizes, activation: 'sigmoid', dtype: 'float32', params: a.getParams() }).getParams();
    p32.W.flat(2).forEach((v, i) => expect(v).toBe(Math.fround(a.getParams().W.flat(2)[i])));
  });

  it('the seeded initialisation is deterministic, with zero biases', () => {
    const p = new ManualMLP({ sizes: [4, 6, 3], activation: 'relu', seed: 11 }).getParams();
    expect(new ManualMLP({ sizes: [4, 6, 3], activation: 'relu', seed: 11 }).getParams()).toEqual(p);
    expect(new ManualMLP({ sizes: [4, 6, 3], activation: 'relu', seed: 12 }).getParams()).not.toEqual(p);
    expect(p.b.flat().every((v) => v === 0)).toBe(true);
    expect(new ManualMLP({ sizes: [4, 6, 3], activation: 'relu' }).getParams()).toEqual(new ManualMLP({ sizes: [4, 6, 3], activation: 'relu', seed: 0 }).getParams());
  });

  it('scales weights by sqrt(2/in) (He) before relu/leakyRelu and sqrt(1/in) otherwise, the output layer included', () => {
    const std = (values: number[]) => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    const sizes = [400, 300, 200, 100];
    const p = new ManualMLP({ sizes, activation: ['relu', 'tanh'], dtype: 'float64', seed: 3 }).getParams();
    const expected = [Math.sqrt(2 / 400), Math.sqrt(1 / 300), Math.sqrt(1 / 200)];
    p.W.forEach((Wl, i) => expect(std(Wl.flat()) / expected[i]).toBeCloseTo(1, 1));
    const leaky = new ManualMLP({ sizes: [400, 300, 10], activation: 'leakyRelu', dtype: 'float64', seed: 3 }).getParams();
    expect(std(leaky.W[0].flat()) / Math.sqrt(2 / 400)).toBeCloseTo(1, 1);
  });
});
