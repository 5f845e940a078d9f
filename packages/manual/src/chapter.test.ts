import { describe, expect, it } from 'vitest';
import { chapterExample as ex } from './chapter-example.ts';
import { formatTrace } from './format-trace.ts';
import { ManualMLP } from './mlp.ts';
import type { Matrix, Trace } from './types.ts';

// The chapter's worked example, 2-2-2-3 with sigmoid hidden layers, on one sample and on a batch of 3, checked
// against a scalar implementation written out here loop by loop (it shares no code with the engine).

interface ByHand {
  loss: number;
  z: number[][][];
  a: number[][][];
  delta: number[][][];
  dW: number[][][];
  db: number[][];
}

/** The chapter by hand on nested arrays: every sum an explicit loop, σ'(z) taken as a(1 − a). */
type Rows = readonly (readonly number[])[];

function byHand(W: readonly Rows[], b: Rows, X: Rows, Y: Rows): ByHand {
  const N = X.length;
  const n = W.length;
  const z: number[][][] = [];
  const a: number[][][] = [X.map((row) => row.slice())];
  for (let l = 0; l < n; l++) {
    const zl = X.map((_, r) => b[l].map((bj, j) => {
      let s = bj;
      for (let i = 0; i < W[l].length; i++) s += a[l][r][i] * W[l][i][j];
      return s;
    }));
    z.push(zl);
    if (l < n - 1) a.push(zl.map((row) => row.map((v) => 1 / (1 + Math.exp(-v)))));
    else a.push(zl.map((row) => {
      const e = row.map((v) => Math.exp(v));
      const s = e.reduce((p, q) => p + q, 0);
      return e.map((v) => v / s);
    }));
  }
  let loss = 0;
  for (let r = 0; r < N; r++) for (let j = 0; j < Y[r].length; j++) if (Y[r][j] !== 0) loss -= (Y[r][j] * Math.log(a[n][r][j])) / N;
  const delta: number[][][] = new Array(n);
  const dW: number[][][] = new Array(n);
  const db: number[][] = new Array(n);
  delta[n - 1] = a[n].map((row, r) => row.map((v, j) => (v - Y[r][j]) / N));
  for (let l = n - 1; l >= 0; l--) {
    dW[l] = W[l].map((row, i) => row.map((_, j) => {
      let s = 0;
      for (let r = 0; r < N; r++) s += a[l][r][i] * delta[l][r][j];
      return s;
    }));
    db[l] = b[l].map((_, j) => {
      let s = 0;
      for (let r = 0; r < N; r++) s += delta[l][r][j];
      return s;
    });
    if (l > 0) {
      delta[l - 1] = a[l].map((row, r) => row.map((ai, i) => {
        let s = 0;
        for (let j = 0; j < W[l][i].length; j++) s += delta[l][r][j] * W[l][i][j];
        return s * ai * (1 - ai);
      }));
    }
  }
  return { loss, z, a: a.slice(1), delta, dW, db };
}

function expectMatrix(got: Matrix, expected: Rows | readonly number[], tol = 1e-14): void {
  const flat = (expected as Rows).flat() as number[];
  expect(Array.from(got.data)).toHaveLength(flat.length);
  flat.forEach((e, i) => expect(got.data[i]).toBeCloseTo(e, -Math.log10(tol)));
}

function expectTraceMatches(trace: Trace, hand: ByHand): void {
  expect(trace.loss).toBeCloseTo(hand.loss, 14);
  trace.layers.forEach((L, i) => {
    expect(L.l).toBe(i + 1);
    expectMatrix(L.z, hand.z[i]);
    expectMatrix(L.a, hand.a[i]);
    expectMatrix(L.delta, hand.delta[i]);
    expectMatrix(L.dW, hand.dW[i]);
    expectMatrix(L.db, hand.db[i]);
  });
}

const params = { W: ex.params.W.map((Wl) => Wl.map((r) => r.slice())), b: ex.params.b.map((bl) => bl.slice()) };
const oneHot = (k: number) => [0, 1, 2].map((j) => (j === k ? 1 : 0));
const net = () => new ManualMLP({ sizes: ex.sizes, activation: ex.activation, dtype: 'float64', params });

describe("the chapter's worked example, 2-2-2-3", () => {
  it('one sample: z¹ by hand, then every symbol against the scalar implementation', () => {
    const trace = net().trace(ex.sample.x, ex.sample.y);
    // z¹ = a⁰ W¹ + b¹ = [0.05·0.15 + 0.1·0.2 + 0.35, 0.05·0.25 + 0.1·0.3 + 0.35]
    expectMatrix(trace.layers[0].z, [[0.3775, 0.3925]]);
    expect(trace.N).toBe(1);
    expectMatrix(trace.y, [ex.sample.y]);
    expectTraceMatches(trace, byHand(params.W, params.b, [ex.sample.x], [ex.sample.y]));
  });

  it('one sample: δ^n = a^n − y and ∂loss/∂b^l = δ^l exactly', () => {
    const trace = net().trace(ex.sample.x, 2);
    const out = trace.layers[2];
    expect(Array.from(out.delta.data)).toEqual(Array.from(out.a.data).map((v, j) => v - ex.sample.y[j]));
    for (const L of trace.layers) expect(Array.from(L.db.data)).toEqual(Array.from(L.delta.data));
  });

  it('a batch of 3: every symbol against the scalar implementation', () => {
    const trace = net().trace(ex.batch.x, ex.batch.y);
    expect(trace.N).toBe(3);
    expectTraceMatches(trace, byHand(params.W, params.b, ex.batch.x, ex.batch.y.map(oneHot)));
  });

  it('a batch of 3: the gradients are the mean of the three single-sample gradients', () => {
    const m = net();
    const batch = m.trace(ex.batch.x, ex.batch.y);
    const singles = ex.batch.x.map((x, r) => m.trace(x, ex.batch.y[r]));
    batch.layers.forEach((L, i) => {
      L.dW.data.forEach((v, j) => expect(v).toBeCloseTo(singles.reduce((s, t) => s + t.layers[i].dW.data[j], 0) / 3, 15));
      L.db.data.forEach((v, j) => expect(v).toBeCloseTo(singles.reduce((s, t) => s + t.layers[i].db.data[j], 0) / 3, 15));
    });
    expect(batch.loss).toBeCloseTo(singles.reduce((s, t) => s + t.loss, 0) / 3, 15);
  });

  it('one SGD step moves every parameter by −lr · gradient, as computed by hand', () => {
    const m = net();
    const lr = 0.5;
    const hand = byHand(params.W, params.b, ex.batch.x, ex.batch.y.map(oneHot));
    expect(m.sgdStep(ex.batch.x, ex.batch.y, lr)).toBeCloseTo(hand.loss, 14);
    const after = m.getParams();
    after.W.forEach((Wl, l) => Wl.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(params.W[l][i][j] - lr * hand.dW[l][i][j], 15))));
    after.b.forEach((bl, l) => bl.forEach((v, j) => expect(v).toBeCloseTo(params.b[l][j] - lr * hand.db[l][j], 15)));
    expect(m.lossAndGrads(ex.batch.x, ex.batch.y).loss).toBeLessThan(hand.loss);
  });

  it('float32 follows the float64 trace to float32 precision', () => {
    const t64 = net().trace(ex.batch.x, ex.batch.y);
    const t32 = new ManualMLP({ sizes: ex.sizes, activation: ex.activation, dtype: 'float32', params }).trace(ex.batch.x, ex.batch.y);
    expect(t32.layers[0].z.data).toBeInstanceOf(Float32Array);
    expect(t32.loss).toBeCloseTo(t64.loss, 6);
    t32.layers.forEach((L, i) => L.dW.data.forEach((v, j) => expect(v).toBeCloseTo(t64.layers[i].dW.data[j], 6)));
  });

  it('prints as tables in the chapter symbols', () => {
    const text = formatTrace(net().trace(ex.batch.x, ex.batch.y), { title: 'Chapter example' });
    expect(text).toContain('Chapter example: sizes [2, 2, 2, 3], a batch of 3 samples');
    for (const line of [
      'a⁰ = x   (3 × 2)',
      'z¹ = a⁰ W¹ + b¹   (3 × 2)',
      'a² = sigmoid(z²)   (3 × 2)',
      'a³ = softmax(z³)   (3 × 3)',
      'δ³ = (a³ − y) / N   (3 × 3)',
      "δ² = δ³ (W³)ᵀ ⊙ sigmoid'(z²)   (3 × 2)",
      '∂loss/∂W¹ = (a⁰)ᵀ δ¹   (2 × 2)',
      '∂loss/∂b³ = Σ_rows δ³   (3)',
    ]) {
      expect(text).toContain(line);
    }
    const backwardPass = text.slice(text.indexOf('Backward pass'));
    expect(backwardPass.indexOf('layer 3\n')).toBeLessThan(backwardPass.indexOf('layer 2\n'));
    expect(backwardPass.indexOf('layer 2\n')).toBeLessThan(backwardPass.indexOf('layer 1\n'));
    expect(formatTrace(net().trace(ex.sample.x, ex.sample.y))).toContain('Trace: sizes [2, 2, 2, 3], 1 sample');
  });
});
