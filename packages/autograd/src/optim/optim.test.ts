import { describe, expect, it } from 'vitest';
import { mul, nn, optim, sum, tensor } from '../index.ts';
import type { Tensor } from '../index.ts';

const param = (v: number[], dtype: 'float32' | 'float64' = 'float64') => tensor(v, { dtype, requiresGrad: true });
/** Sets p.grad to g by backpropagating Σ p ⊙ g. */
const setGrad = (p: Tensor, g: number[]) => sum(mul(p, tensor(g, { dtype: p.dtype }))).backward();

describe('optimizer behaviour', () => {
  it('SGD: θ ← θ − η g, in place, keeping the dtype', () => {
    const p = param([1, 2], 'float32');
    const data = p.data;
    const opt = new optim.SGD([p], { lr: 0.5 });
    setGrad(p, [1, -2]);
    opt.step();
    expect(p.data).toBe(data);
    expect(Array.from(p.data)).toEqual([0.5, 3]);
  });

  it('skips parameters without a gradient, as PyTorch does', () => {
    const [a, b] = [param([1]), param([1])];
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    setGrad(a, [1]);
    opt.step();
    expect(a.data[0]).toBeCloseTo(0.9, 8); // Adam's first step moves by lr·g/(|g| + ε)
    expect(b.data[0]).toBe(1);
  });

  it('zeroGrad drops gradients (default) or fills them with zeros', () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    setGrad(p, [1, 1]);
    opt.zeroGrad({ setToNone: false });
    expect(Array.from(p.grad!.data)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('parameter groups take their own options, and lr can be changed between steps (schedules)', () => {
    const [a, b] = [param([0]), param([0])];
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
    setGrad(a, [1]);
    setGrad(b, [1]);
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([-0.1, -1]);
    opt.paramGroups[0].lr = 0.01;
    opt.step();
    expect(a.data[0]).toBeCloseTo(-0.11, 15);
  });

  it('maximize ascends', () => {
    const p = param([0]);
    const opt = new optim.AdamW([p], { lr: 0.1, maximize: true, weightDecay: 0 });
    setGrad(p, [3]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.1, 9);
  });

  it('AdamW decays the weights even where the gradient is zero; Adam adds λθ to the gradient', () => {
    const [p, q] = [param([2]), param([2])];
    const w = new optim.AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    const a = new optim.Adam([q], { lr: 0.1, weightDecay: 0.5 });
    setGrad(p, [0]);
    setGrad(q, [0]);
    w.step();
    a.step();
    expect(p.data[0]).toBeCloseTo(2 * (1 - 0.05), 12); // θ(1 − ηλ), then m = 0
    expect(q.data[0]).toBeCloseTo(2 - 0.1, 7); // g = λθ = 1 > 0: one Adam step of size η
  });

  it('rejects bad options and bad parameter lists with messages naming them', () => {
    const p = param([1]);
    expect(() => new optim.SGD([p], { lr: -1 })).toThrow('SGD: invalid lr -1; expected a finite number ≥ 0');
    expect(() => new optim.SGD([p], { lr: NaN })).toThrow('SGD: invalid lr NaN; expected a finite number ≥ 0');
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow('SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0');
    expect(() => new optim.Adam([p], { betas: [0.9, 1] })).toThrow('Adam: invalid betas[1] 1; expected a number in [0, 1)');
    expect(() => new optim.AdamW([p], { eps: -1 })).toThrow('AdamW: invalid eps -1; expected a finite number ≥ 0');
    expect(() => new optim.Adam([])).toThrow(/got no parameters/);
    expect(() => new optim.Adam([p, p])).toThrow('Adam: parameter 1 ([1]) appears more than once; pass each parameter once');
    expect(() => new optim.Adam([mul(p, 2)])).toThrow('Adam: parameter 0 ([1]) was computed by mul; an optimizer can only update leaf tensors');
    expect(() => new optim.SGD([{} as Tensor], { lr: 1 })).toThrow('SGD: parameter 0 is not a Tensor (got object)');
  });
});

describe('what a step refuses', () => {
  it('a gradient of another dtype than its parameter (float64 .grad on a float32 parameter)', () => {
    const p = param([1, 2, 3], 'float32');
    p.grad = tensor([1, 1, 1], { dtype: 'float64' });
    expect(() => new optim.SGD([p], { lr: 0.1 }).step()).toThrow(
      'SGD.step: a float32 tensor [3] has a float64 gradient of shape [3]; expected a float32 gradient of the same shape',
    );
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
  });

  it('with checkFinite, a step that would write a non-finite value: named, and every parameter and state left as it was', () => {
    const model = nn.MLP([2, 2], 'identity', { dtype: 'float32' });
    const [[, W], [, b]] = model.namedParameters();
    W.data.set([2, 2, 2, 2]);
    b.data.set([0, 0]);
    const opt = new optim.SGD(model.parameters(), { lr: 10, momentum: 0.9, checkFinite: true });
    // a first, finite step fills the momentum buffers: W = 2 − 10 · 1 = −8
    W.grad = tensor([1, 1, 1, 1]);
    b.grad = tensor([1, 1]);
    opt.step();
    const before = { W: Array.from(W.data), b: Array.from(b.data), versions: [W.version, b.version], state: JSON.stringify(opt.stateDict()) };
    // b's update stays finite; W[1]'s overflows float32: momentum ≈ −3e38, −8 − 10 · (−3e38) → Infinity
    W.grad = tensor([0, -3e38, 0, 0]);
    expect(() => opt.step()).toThrow(
      "SGD.step: the update would write Infinity into parameter 'layers.0.W' [2, 2] (float32) at flat index 1 " +
        `(its gradient there is ${W.grad.data[1]}, its value -8); no parameter was changed (checkFinite)`,
    );
    expect(Array.from(W.data)).toEqual(before.W);
    expect(Array.from(b.data)).toEqual(before.b);
    expect([W.version, b.version]).toEqual(before.versions);
    expect(JSON.stringify(opt.stateDict())).toBe(before.state);
    // without the option (the default, as in PyTorch) the same step writes it
    const plain = new optim.SGD(model.parameters(), { lr: 1e10 });
    plain.step();
    expect(W.data[1]).toBe(Infinity);
    expect(() => new optim.Adam([W], { checkFinite: 'yes' as never })).toThrow('Adam: invalid checkFinite "yes"; expected true or false');
  });

  it('with checkFinite, Adam, AdamW, RMSprop and Adagrad refuse a NaN gradient too', () => {
    for (const make of [
      (p: Tensor[]) => new optim.Adam(p, { checkFinite: true }),
      (p: Tensor[]) => new optim.AdamW(p, { checkFinite: true }),
      (p: Tensor[]) => new optim.RMSprop(p, { checkFinite: true }),
      (p: Tensor[]) => new optim.Adagrad(p, { checkFinite: true }),
    ]) {
      const p = param([1, 2]);
      const opt = make([p]);
      p.grad = tensor([0.5, NaN], { dtype: 'float64' });
      expect(() => opt.step()).toThrow(/\.step: the update would write NaN into a float64 tensor \[2\] at flat index 1 \(its gradient there is NaN, its value 2\)/);
      expect(Array.from(p.data)).toEqual([1, 2]);
      expect(opt.stateDict().state).toEqual({});
    }
  });
});
