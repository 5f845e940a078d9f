// Dropout, LayerNorm, BatchNorm1d, Embedding, Module.apply, Tensor.zero_ and nn.utils: behaviour, errors and
// gradients against float64 central differences (their PyTorch values are in training-extra-reference.test.ts).
import { describe, expect, it } from 'vitest';
import { gradgradcheck, mse, nn, Random, randn, sum, Tensor, tensor } from '../index.ts';
import { checkGrads } from '../testing/check-grads.ts';

/** A module whose parameters are the given tensors (so checkGrads can differentiate with respect to them). */
function withParams<M extends nn.Module>(m: M, params: Record<string, Tensor>): M {
  return Object.assign(m, params);
}

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1 − p) in training; eval() is the identity', () => {
    const x = randn([200, 50], { dtype: 'float64', rng: new Random(1) });
    const drop = new nn.Dropout(0.3, { rng: new Random(2) });
    const y = drop.call(x);
    let zeroed = 0;
    for (let i = 0; i < x.size; i++) {
      if (y.data[i] === 0) zeroed++;
      else expect(y.data[i]).toBeCloseTo(x.data[i] / 0.7, 14);
    }
    expect(zeroed / x.size).toBeGreaterThan(0.28);
    expect(zeroed / x.size).toBeLessThan(0.32);
    drop.eval();
    expect(drop.call(x)).toBe(x);
  });

  it('is seeded: the same generator seed gives the same mask; fresh masks on every call', () => {
    const x = randn([4, 8], { rng: new Random(3) });
    const a = new nn.Dropout(0.5, { rng: new Random(9) });
    const b = new nn.Dropout(0.5, { rng: new Random(9) });
    const first = Array.from(a.call(x).data);
    expect(Array.from(b.call(x).data)).toEqual(first);
    expect(Array.from(a.call(x).data)).not.toEqual(first);
  });

  it('passes the gradient through the kept elements only, scaled', () => {
    const x = tensor([[1, 2, 3, 4]], { dtype: 'float64', requiresGrad: true });
    const y = new nn.Dropout(0.5, { rng: new Random(4) }).call(x);
    sum(y).backward();
    for (let i = 0; i < 4; i++) expect(x.grad!.data[i]).toBe(y.data[i] === 0 ? 0 : 2);
  });

  it('p = 1 drops everything, p = 0 nothing; p outside [0, 1] is an error', () => {
    const x = tensor([1, 2, 3]);
    expect(Array.from(new nn.Dropout(1).call(x).data)).toEqual([0, 0, 0]);
    expect(new nn.Dropout(0).call(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow('Dropout: probability p must be a number in [0, 1], got 1.5');
  });
});

describe('LayerNorm', () => {
  it('normalises each row to mean 0, variance 1 (before γ, β)', () => {
    const ln = new nn.LayerNorm(6, { dtype: 'float64', eps: 0 + 1e-12 });
    const y = ln.call(randn([3, 6], { dtype: 'float64', rng: new Random(5), mean: 2, std: 3 }));
    for (let r = 0; r < 3; r++) {
      const row = Array.from(y.data.subarray(6 * r, 6 * r + 6));
      const m = row.reduce((s, v) => s + v, 0) / 6;
      expect(m).toBeCloseTo(0, 12);
      expect(row.reduce((s, v) => s + (v - m) ** 2, 0) / 6).toBeCloseTo(1, 9);
    }
    expect(ln.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
  });

  it('has gradients for x, weight and bias that match central differences, over one and two axes', () => {
    checkGrads((x, w, b) => withParams(new nn.LayerNorm(4, { dtype: x.dtype }), { weight: w, bias: b }).call(x), [[3, 4], [4], [4]]);
    checkGrads((x, w, b) => withParams(new nn.LayerNorm([2, 3], { dtype: x.dtype }), { weight: w, bias: b }).call(x), [[2, 2, 3], [2, 3], [2, 3]]);
    const x = randn([2, 3], { dtype: 'float64', rng: new Random(6), requiresGrad: true });
    expect(gradgradcheck((v) => new nn.LayerNorm(3, { dtype: 'float64' }).call(v), [x]).ok).toBe(true);
  });

  it('names the expected trailing shape when the input does not end in it', () => {
    expect(() => new nn.LayerNorm(4).call(tensor([[1, 2, 3]]))).toThrow('LayerNorm([4], eps=0.00001): input is [1, 3]; expected its last axes to be [4]');
  });
});

describe('BatchNorm1d', () => {
  it('normalises each feature over the batch in training and updates the running statistics (unbiased variance)', () => {
    const bn = new nn.BatchNorm1d(2, { dtype: 'float64', momentum: 0.5 });
    const x = tensor([[1, 10], [3, 20], [5, 60]], { dtype: 'float64' });
    const y = bn.call(x);
    const col0 = [0, 2, 4].map((i) => y.data[i]);
    expect(col0[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3 + 1e-5), 12);
    expect(Array.from(bn.runningMean!.data)).toEqual([0.5 * 3, 0.5 * 30]);
    expect(bn.runningVar!.data[0]).toBeCloseTo(0.5 + 0.5 * 4, 14); // unbiased variance of 1, 3, 5 is 4
    expect(bn.numBatchesTracked).toBe(1);
  });

  it('eval() uses the running statistics and leaves them alone', () => {
    const bn = new nn.BatchNorm1d(2, { dtype: 'float64' });
    bn.runningMean!.data.set([1, -1]);
    bn.runningVar!.data.set([4, 9]);
    bn.eval();
    const y = bn.call(tensor([[3, 2]], { dtype: 'float64' }));
    expect(y.data[0]).toBeCloseTo(2 / Math.sqrt(4 + 1e-5), 14);
    expect(y.data[1]).toBeCloseTo(3 / Math.sqrt(9 + 1e-5), 14);
    expect(Array.from(bn.runningMean!.data)).toEqual([1, -1]);
    expect(bn.stateDict().tensors).toHaveProperty('runningVar');
    expect(bn.parameters()).toEqual([bn.weight, bn.bias]);
  });

  it('has gradients that match central differences, for [N, C] and [N, C, L], in training and eval mode', () => {
    checkGrads((x, w, b) => withParams(new nn.BatchNorm1d(3, { dtype: x.dtype }), { weight: w, bias: b }).call(x), [[4, 3], [3], [3]]);
    checkGrads((x, w, b) => withParams(new nn.BatchNorm1d(2, { dtype: x.dtype }), { weight: w, bias: b }).call(x), [[3, 2, 4], [2], [2]]);
    checkGrads((x) => new nn.BatchNorm1d(3, { dtype: x.dtype }).eval().call(x), [[4, 3]]);
    const x = randn([5, 2], { dtype: 'float64', rng: new Random(8), requiresGrad: true });
    expect(gradgradcheck((v) => new nn.BatchNorm1d(2, { dtype: 'float64' }).call(v), [x]).ok).toBe(true);
  });

  it('names the layer and the shapes on bad input', () => {
    expect(() => new nn.BatchNorm1d(3).call(tensor([[1, 2]]))).toThrow('BatchNorm1d(3, eps=0.00001, momentum=0.1): input is [1, 2]; expected [N, 3] or [N, 3, L]');
    expect(() => new nn.BatchNorm1d(2).call(tensor([[1, 2]]))).toThrow(/expected more than one value per channel when training, got input \[1, 2\]/);
  });
});

describe('Embedding', () => {
  it('looks rows up and adds the gradient back into them (repeats add up)', () => {
    const emb = new nn.Embedding(4, 3, { dtype: 'float64', rng: new Random(7) });
    const out = emb.call(tensor([[1, 3], [1, 0]]));
    expect(out.shape).toEqual([2, 2, 3]);
    expect(Array.from(out.data.subarray(0, 3))).toEqual(Array.from(emb.weight.data.subarray(3, 6)));
    sum(out).backward();
    expect(Array.from(emb.weight.grad!.data)).toEqual([1, 1, 1, 2, 2, 2, 0, 0, 0, 1, 1, 1]);
    expect(emb.forward([2]).shape).toEqual([1, 3]);
  });

  it('has a gradient that matches central differences', () => {
    checkGrads((w) => withParams(new nn.Embedding(3, 2, { dtype: w.dtype }), { weight: w }).forward([2, 0, 2]), [[3, 2]]);
  });

  it('rejects indices out of range, naming them', () => {
    expect(() => new nn.Embedding(4, 3).forward([1, 4])).toThrow('Embedding(4, 3): index 4 at flat position 1 of indices [2] is out of range; expected an integer in [0, 4)');
    expect(() => new nn.Embedding(4, 3).forward([0.5])).toThrow(/index 0.5 at flat position 0/);
  });
});

describe('Module.apply and Tensor.zero_', () => {
  it('apply visits every submodule, children before parents, for initialisation', () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    const visited: string[] = [];
    model.apply((m) => {
      visited.push(m.constructor.name);
      if (m instanceof nn.Linear) m.b!.data.fill(0.25);
    });
    expect(visited).toEqual(['Linear', 'ReLU', 'Linear', 'Sequential']);
    expect(Array.from(model.parameters()[3].data)).toEqual([0.25]);
  });

  it('grad.zero_() zeroes the gradient buffer in place; an op output cannot be zeroed', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    sum(p.mul(3)).backward();
    const g = p.grad!;
    expect(g.zero_()).toBe(g);
    expect(Array.from(p.grad!.data)).toEqual([0, 0]);
    expect(() => p.mul(2).zero_()).toThrow('zero_: cannot overwrite a tensor computed by mul in place');
  });
});

describe('nn.utils', () => {
  const withGrads = (grads: number[][]) =>
    grads.map((g) => {
      const p = tensor(g.map(() => 0), { dtype: 'float64', requiresGrad: true });
      p.grad = tensor(g, { dtype: 'float64' });
      return p;
    });

  it('clipGradNorm scales all gradients by maxNorm / ‖g‖ when above, returns ‖g‖, and leaves small ones alone', () => {
    const ps = withGrads([[3, 0], [0, 4]]);
    expect(nn.utils.clipGradNorm(ps, 1)).toBe(5);
    expect(ps[0].grad!.data[0]).toBeCloseTo(3 / (5 + 1e-6), 15);
    expect(ps[1].grad!.data[1]).toBeCloseTo(4 / (5 + 1e-6), 15);
    const small = withGrads([[0.3, 0.4]]);
    expect(nn.utils.clipGradNorm(small, 1)).toBeCloseTo(0.5, 15);
    expect(Array.from(small[0].grad!.data)).toEqual([0.3, 0.4]);
    const inf = withGrads([[1, -7], [2]]);
    expect(nn.utils.clipGradNorm(inf, 3.5, { normType: Infinity })).toBe(7);
    expect(inf[0].grad!.data[1]).toBeCloseTo(-3.5, 6);
    expect(nn.utils.clipGradNorm(withGrads([[1, 1]]), 10, { normType: 1 })).toBe(2);
  });

  it('clipGradNorm skips parameters without a gradient and can refuse a non-finite norm', () => {
    const [p] = withGrads([[3, 4]]);
    const q = tensor([1], { requiresGrad: true });
    expect(nn.utils.clipGradNorm([p, q], 10)).toBe(5);
    expect(() => nn.utils.clipGradNorm(withGrads([[NaN]]), 1, { errorIfNonfinite: true })).toThrow(/total norm of order 2 of the gradients is NaN/);
    expect(() => nn.utils.clipGradNorm([p], -1)).toThrow('clipGradNorm: maxNorm must be a number ≥ 0, got -1');
  });

  it('clipGradValue clamps each entry; countParameters counts scalars', () => {
    const ps = withGrads([[-3, 0.5, 2]]);
    nn.utils.clipGradValue(ps, 1);
    expect(Array.from(ps[0].grad!.data)).toEqual([-1, 0.5, 1]);
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
    expect(nn.utils.countParameters(model.parameters())).toBe(4 * 3 + 3 + 3 + 3);
    expect(model.numParameters()).toBe(21);
    expect(nn.utils.countParameters(model.namedTensors().map(([, t]) => t))).toBe(27); // + the running statistics
    expect(nn.utils.countParameters(model.namedTensors().map(([, t]) => t), { trainableOnly: true })).toBe(21);
  });
});

describe('nn layers in a model', () => {
  it('a Linear–BatchNorm–ReLU–Dropout–Linear network trains under mse and switches mode with eval()', () => {
    const rng = new Random(11);
    const model = new nn.Sequential(
      new nn.Linear(3, 8, { rng, dtype: 'float64' }),
      new nn.BatchNorm1d(8, { dtype: 'float64' }),
      new nn.ReLU(),
      new nn.Dropout(0.2, { rng }),
      new nn.Linear(8, 1, { rng, dtype: 'float64' }),
    );
    const x = randn([16, 3], { dtype: 'float64', rng });
    const y = randn([16, 1], { dtype: 'float64', rng });
    mse(model.call(x), y).backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.eval();
    expect(Array.from(model.call(x).data)).toEqual(Array.from(model.call(x).data));
  });
});
