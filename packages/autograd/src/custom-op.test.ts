import { describe, expect, it } from 'vitest';
import {
  add,
  backward,
  customOp,
  defineUserOp,
  gradcheck,
  gradgradcheck,
  matmul,
  matmulNT,
  matmulTN,
  mul,
  nn,
  optim,
  Random,
  randn,
  sigmoid,
  sub,
  sum,
  tanh,
  Tensor,
  tensor,
} from './index.ts';
import { nodeOf } from './internal.ts';

/** softplus(x) = ln(1 + eˣ), computed stably with a plain loop; its backward σ(x)·g is written with ops. */
const softplus = customOp('softplus', {
  forward: (x: Tensor) => new Tensor(x.data.map((v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))), x.shape),
  backward: (g, _out, x) => [mul(g, sigmoid(x))],
});

/** A fused layer tanh(x W + b), one node on the tape; its backward reuses the output: tanh′ = 1 − out². */
const linearTanh = customOp('linearTanh', {
  forward: (x: Tensor, W: Tensor, b: Tensor) => tanh(add(matmul(x, W), b)),
  backward: (g, out, x, W) => {
    const dz = mul(g, sub(1, mul(out, out))); // δ = g ⊙ (1 − tanh²)
    return [matmulNT(dz, W), matmulTN(x, dz), sum(dz, 0)]; // δ Wᵀ, xᵀ δ, Σ_rows δ
  },
});

const rng = new Random(5);
const leaf = (shape: number[]) => randn(shape, { dtype: 'float64', rng, std: 1.5 }).requiresGrad_();

describe('custom ops', () => {
  it('softplus: stable forward, gradcheck and gradgradcheck pass', () => {
    const y = softplus(tensor([-1000, 0, 1000], { dtype: 'float64' }));
    expect(Array.from(y.data)).toEqual([0, Math.LN2, 1000]);
    const x = leaf([3, 4]);
    for (const check of [gradcheck, gradgradcheck]) {
      const r = check((t) => softplus(t), [x]);
      expect(r.ok, r.summary).toBe(true);
    }
  });

  it('a fused linear+tanh op: first and second derivatives for x, W and b', () => {
    const inputs = [leaf([4, 3]), leaf([3, 2]), leaf([2])];
    const r1 = gradcheck((x, W, b) => linearTanh(x, W, b), inputs);
    expect(r1.ok, r1.summary).toBe(true);
    const r2 = gradgradcheck((x, W, b) => linearTanh(x, W, b), inputs);
    expect(r2.ok, r2.summary).toBe(true);
    expect(r2.perInput.map((e) => e.name)).toEqual(['input 0', 'input 1', 'input 2', 'cotangent']);
  });

  it('records one node, and trains inside a Module with an optimizer', () => {
    class Net extends nn.Module {
      W = randn([2, 3], { dtype: 'float64', rng }).requiresGrad_();
      b = tensor([0, 0, 0], { dtype: 'float64', requiresGrad: true });
      forward(x: Tensor) {
        return linearTanh(x, this.W, this.b);
      }
    }
    const net = new Net();
    const out = net.call(randn([5, 2], { dtype: 'float64', rng }));
    expect(nodeOf(out)?.op).toBe('linearTanh');
    expect(nodeOf(out)?.inputs.length).toBe(3);
    const opt = new optim.SGD(net.parameters(), { lr: 0.5 });
    const x = randn([8, 2], { dtype: 'float64', rng });
    const target = tensor(Array(24).fill(0.5), { dtype: 'float64', shape: [8, 3] });
    const loss = () => sum(mul(sub(net.call(x), target), sub(net.call(x), target)));
    const first = loss().item();
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      backward(loss());
      opt.step();
    }
    expect(loss().item()).toBeLessThan(first);
  });

  it('never shares a buffer with an input (parameters are updated in place)', () => {
    const identity = customOp('identity', { forward: (x: Tensor) => x, backward: (g) => [g] });
    const x = tensor([1, 2]);
    const y = identity(x);
    x.data[0] = 9;
    expect(y.data[0]).toBe(1);
  });

  it('explains a wrong backward', () => {
    const bad = customOp('bad', { forward: (x: Tensor) => mul(x, 2), backward: (g) => [g, g] });
    expect(() => bad(tensor([1], { requiresGrad: true })).sum().backward()).toThrow(
      'bad: backward must return an array with one gradient (or null) per input, 1 in all',
    );
    const wrongShape = customOp('wrongShape', { forward: (x: Tensor) => mul(x, 2), backward: (g) => [sum(g)] });
    expect(() => wrongShape(tensor([1, 2], { requiresGrad: true })).sum().backward()).toThrow(/wrongShape's backward returned/);
  });

  it('defineUserOp, the primitive form, is checked the same way', () => {
    // cube on raw buffers: out = x³, ∂L/∂x = 3x²·g (with ops, so differentiable)
    const cube = defineUserOp('cube', (x: Tensor) => ({
      data: x.data.map((v) => v * v * v),
      shape: x.shape,
      backward: (g: Tensor) => [mul(g, mul(mul(x, x), 3))],
    }));
    const x = leaf([5]);
    expect(gradcheck((t) => cube(t), [x]).ok).toBe(true);
    expect(gradgradcheck((t) => cube(t), [x]).ok).toBe(true);
  });

  it("copies the shape a defineUserOp forward returns (the op may reuse its array)", () => {
    const shape = [2];
    const twice = defineUserOp('twice', (x: Tensor) => ({ data: x.data.map((v) => 2 * v), shape, backward: (g: Tensor) => [mul(g, 2)] }));
    const out = twice(tensor([1, 2], { requiresGrad: true }));
    shape[0] = 99;
    expect(out.shape).toEqual([2]);
  });
});
