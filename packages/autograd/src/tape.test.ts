import { afterEach, describe, expect, it } from 'vitest';
import { tensor } from './creation.ts';
import { detectAnomaly, enableGrad, isAnomalyEnabled, noGrad, withAnomalyDetection } from './grad-mode.ts';
import { div, exp, log, matmul, mul, pow, sigmoid, softmax, sqrt, sum } from './ops/index.ts';
import { defineOp } from './tape.ts';
import { nodeOf } from './tape/marks.ts';
import type { Tensor } from './tensor.ts';

const f64 = { dtype: 'float64', requiresGrad: true } as const;

describe('accumulation and zeroGrad', () => {
  it('adds every backward() into .grad until zeroGrad()', () => {
    const x = tensor([1, 2, 3], f64);
    for (let i = 0; i < 3; i++) mul(x, x).sum().backward();
    expect(x.grad!.toArray()).toEqual([6, 12, 18]);
    x.zeroGrad();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
    mul(x, 3).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 3, 3]);
  });
  it('sums the gradients of a tensor used several times', () => {
    const x = tensor([2], f64);
    x.mul(x).add(x.mul(3)).add(exp(x)).sum().backward(); // d/dx (x² + 3x + eˣ) = 2x + 3 + eˣ
    expect(x.grad!.item()).toBeCloseTo(7 + Math.exp(2), 12);
  });
  it('gives every leaf its own gradient buffer, also under createGraph (add passes g through to both inputs)', () => {
    const x = tensor([1, 2], f64);
    const z = tensor([3, 4], f64);
    const y = x.add(z).sum();
    y.backward({ createGraph: true });
    y.backward();
    expect(x.grad).not.toBe(z.grad);
    expect(x.grad!.toArray()).toEqual([2, 2]);
    expect(z.grad!.toArray()).toEqual([2, 2]);
  });
  it('adds a plain backward() onto a gradient recorded with createGraph', () => {
    const w = tensor([3], f64);
    mul(w, w).sum().backward({ createGraph: true }); // 2w = 6
    mul(w, 5).sum().backward(); // + 5
    expect(w.grad!.item()).toBe(11);
  });
  it('computes no gradient for inputs that do not require grad', () => {
    const a = tensor([[1, 2]], f64);
    const b = tensor([[3], [4]], { dtype: 'float64' });
    matmul(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([[3, 4]]);
    expect(b.grad).toBeNull();
  });
});

describe('grad modes', () => {
  it('noGrad records nothing, enableGrad records again inside it', () => {
    const x = tensor([1, 2], f64);
    const y = noGrad(() => mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(nodeOf(y)).toBeNull();
    const z = noGrad(() => enableGrad(() => mul(x, 2)));
    expect(z.requiresGrad).toBe(true);
    expect(nodeOf(z)!.op).toBe('mul');
  });
  it('detach() cuts the graph', () => {
    const x = tensor([3], f64);
    mul(x, x.detach()).sum().backward();
    expect(x.grad!.item()).toBe(3);
  });
});

describe('backward() preconditions', () => {
  it('needs a gradient for a non-scalar root', () => {
    const y = mul(tensor([1, 2], f64), 2);
    expect(() => y.backward()).toThrow('backward: the tensor has shape [2], not a scalar');
    expect(() => y.backward({ gradient: tensor([1, 1]) })).toThrow(
      'backward: gradient is float32 [2] but the tensor is float64 [2]; expected the same shape and dtype',
    );
    const x = tensor([1, 2], f64);
    mul(x, 2).backward({ gradient: tensor([1, 10], { dtype: 'float64' }) });
    expect(x.grad!.toArray()).toEqual([2, 20]);
  });
  it('refuses a root that does not require grad', () => {
    expect(() => tensor([1]).backward()).toThrow('backward: this tensor [1] does not require grad');
  });
  it('refuses a second pass through a freed graph, and accumulates with retainGraph', () => {
    const x = tensor([1, 2], f64);
    const loss = mul(x, x).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(/already been freed.*retainGraph: true/);
    const y = tensor([1, 2], f64);
    const loss2 = mul(y, y).sum();
    loss2.backward({ retainGraph: true });
    loss2.backward();
    expect(y.grad!.toArray()).toEqual([4, 8]);
  });
  it("checks each rule's gradient against its input, naming the op", () => {
    const bad = defineOp('bad', (a: Tensor) => ({ data: a.data.slice(), shape: a.shape, backward: (g: Tensor) => [sum(g)] }));
    expect(() => bad(tensor([1, 2], f64)).sum().backward()).toThrow(
      "backward: bad's backward returned a float64 gradient of shape [] for argument 0, which is float64 [2]",
    );
  });
});

describe('retainGrad', () => {
  it('keeps the gradient of an intermediate; others stay null', () => {
    const x = tensor([1, 2], f64);
    const h = mul(x, 3).retainGrad();
    const h2 = mul(h, h);
    h2.sum().backward();
    expect(h.grad!.toArray()).toEqual([6, 12]); // ∂Σh²/∂h = 2h
    expect(h2.grad).toBeNull();
    expect(x.grad!.toArray()).toEqual([18, 36]);
  });
});

describe('createGraph: differentiating gradients', () => {
  /** d/dx of Σ dy/dx, with y = f(x) */
  function secondDerivative(f: (x: Tensor) => Tensor, values: number[]): number[] {
    const x = tensor(values, f64);
    f(x).sum().backward({ createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    x.grad = null;
    g.sum().backward();
    return Array.from(x.grad!.data);
  }
  it('gives second derivatives (and retains the forward graph by default)', () => {
    const v = [0.5, 1.5, -2];
    expect(secondDerivative((x) => pow(x, 3), v)).toEqual(v.map((t) => 6 * t));
    const s = v.map((t) => 1 / (1 + Math.exp(-t)));
    secondDerivative(sigmoid, v).forEach((d, i) => expect(d).toBeCloseTo(s[i] * (1 - s[i]) * (1 - 2 * s[i]), 12));
    secondDerivative((x) => div(1, x), v).forEach((d, i) => expect(d).toBeCloseTo(2 / v[i] ** 3, 12));
    const w = tensor([1, -2, 0.5], { dtype: 'float64' });
    const d = secondDerivative((x) => mul(softmax(x), w), v);
    expect(d.every(Number.isFinite)).toBe(true);
  });
});

describe('anomaly detection', () => {
  afterEach(() => detectAnomaly(false));
  it('names the op whose forward produced NaN or Infinity', () => {
    detectAnomaly(true);
    expect(isAnomalyEnabled()).toBe(true);
    expect(() => log(tensor([1, -1]))).toThrow('anomaly: log produced NaN in its forward output (shape [2], flat index 1)');
    expect(() => div(tensor([0]), tensor([0]))).toThrow('anomaly: div produced NaN in its forward output');
  });
  it('names the op whose backward produced it (sqrt at 0)', () => {
    const x = tensor([0, 4], f64);
    const y = sqrt(x).sum(); // forward is fine: √0 = 0
    detectAnomaly(true);
    expect(() => y.backward()).toThrow('anomaly: sqrt (backward) produced Infinity in the output of div');
  });
  it('is off afterwards, and withAnomalyDetection restores the setting', () => {
    expect(isAnomalyEnabled()).toBe(false);
    expect(Number.isNaN(log(tensor([-1])).item())).toBe(true);
    expect(() => withAnomalyDetection(() => log(tensor([-1])))).toThrow('anomaly: log');
    expect(isAnomalyEnabled()).toBe(false);
  });
});
