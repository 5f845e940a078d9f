import { describe, expect, it } from 'vitest';
import type { Tensor } from './index.ts';
import {
  add,
  crossEntropy,
  exp,
  grad,
  gradcheck,
  gradients,
  hvp,
  jvp,
  matmul,
  mul,
  noGrad,
  pow,
  Random,
  randn,
  sum,
  tanh,
  tensor,
  valueAndGrad,
  vjp,
} from './index.ts';

const f64 = (v: number[] | number[][], requiresGrad = false) => tensor(v, { dtype: 'float64', requiresGrad });
const arr = (t: Tensor) => Array.from(t.data);
const cube = (x: Tensor) => sum(pow(x, 3));

describe('grad and valueAndGrad', () => {
  it('grad(f)(x) = ∇f(x), for x with or without requiresGrad, leaving x.grad alone', () => {
    const x = f64([1, -2, 3]);
    expect(arr(grad(cube)(x))).toEqual([3, 12, 27]); // 3x²
    const y = f64([1, 2], true);
    expect(arr(grad(cube)(y))).toEqual([3, 12]);
    expect(y.grad).toBeNull();
    expect(x.requiresGrad).toBe(false);
  });

  it('valueAndGrad returns the value, detached, and the gradient', () => {
    const [v, g] = valueAndGrad(cube)(f64([2, 1]));
    expect(v.item()).toBe(9);
    expect(v.requiresGrad).toBe(false);
    expect(arr(g)).toEqual([12, 3]);
  });

  it('differentiates with respect to argnums, and to lists and records of tensors', () => {
    const f = (a: Tensor, b: Tensor) => sum(mul(a, b));
    const [ga, gb] = grad(f, { argnums: [0, 1] })(f64([1, 2]), f64([3, 4])) as Tensor[];
    expect([arr(ga), arr(gb)]).toEqual([[3, 4], [1, 2]]);
    expect(arr(grad(f, { argnums: 1 })(f64([1, 2]), f64([3, 4])))).toEqual([1, 2]);
    const params = { w: f64([2]), b: f64([1]) };
    const g = grad((p: typeof params) => sum(pow(add(p.w, p.b), 2)))(params);
    expect([arr(g.w), arr(g.b)]).toEqual([[6], [6]]);
    const [gl] = grad((ps: Tensor[]) => cube(ps[0]))([f64([1]), f64([5])]);
    expect(arr(gl)).toEqual([3]);
    const unused = grad((ps: Tensor[]) => cube(ps[0]))([f64([1]), f64([5])]);
    expect(arr(unused[1])).toEqual([0]); // an input f does not use gets zeros, as in JAX
  });

  it('nests: grad(grad(f)) is the second derivative, grad³ the third', () => {
    const f = (x: Tensor) => sum(pow(x, 4));
    const d1 = grad(f);
    const d2 = grad((x: Tensor) => sum(d1(x)));
    const d3 = grad((x: Tensor) => sum(d2(x)));
    expect(arr(d2(f64([2])))).toEqual([48]); // 12x²
    expect(arr(d3(f64([2])))).toEqual([48]); // 24x
  });

  it('composes with backward(): a gradient penalty trains the parameters f closes over', () => {
    // L(w) = Σ_i (∂/∂x_i Σ tanh(x w))² for x [1, 3], w [3, 1]; checked against central differences in w
    const x = f64([[0.3, -0.7, 1.1]]);
    const penalty = (w: Tensor) => {
      const gx = grad((xx: Tensor) => sum(tanh(matmul(xx, w))))(x);
      return sum(mul(gx, gx));
    };
    const r = gradcheck(penalty, [f64([[0.5], [-1.2], [0.8]], true)]);
    expect(r.ok, r.summary).toBe(true);
  });

  it('does not accumulate into the .grad of parameters f closes over', () => {
    const w = f64([1, 2], true);
    grad((x: Tensor) => sum(mul(x, w)))(f64([3, 4]));
    expect(w.grad).toBeNull();
  });

  it('explains a non-scalar f', () => {
    expect(() => grad((x: Tensor) => mul(x, 2))(f64([1, 2]))).toThrow(
      'grad: f must return a scalar Tensor, got a tensor of shape [2]; reduce it (e.g. .sum()) or use vjp for non-scalar outputs',
    );
    expect(() => grad(cube, { argnums: 3 })(f64([1]))).toThrow('grad: argnums 3 is out of range for 1 argument(s)');
  });
});

describe('gradients (torch.autograd.grad)', () => {
  it('differentiates with respect to intermediate tensors and writes no .grad', () => {
    const x = f64([1, 2, 3], true);
    const y = mul(x, 2);
    const z = sum(mul(y, y));
    const [gy, gx] = gradients(z, [y, x], { retainGraph: true });
    expect(arr(gy!)).toEqual([4, 8, 12]); // 2y
    expect(arr(gx!)).toEqual([8, 16, 24]); // 8x
    expect(x.grad).toBeNull();
    expect(y.grad).toBeNull();
  });

  it('returns null for an input the output does not depend on, and frees the graph unless retained', () => {
    const a = f64([1], true);
    const b = f64([2], true);
    const out = sum(mul(a, a));
    expect(gradients(out, [a, b])[1]).toBeNull();
    expect(() => gradients(out, [a])).toThrow(/already been freed/);
  });
});

describe('vjp, jvp, hvp', () => {
  it('vjp(f, x) gives f(x) and v ↦ vᵀJ, callable repeatedly', () => {
    const x = f64([0, 1, 2]);
    const [out, back] = vjp((t) => exp(t), x);
    expect(arr(out)).toEqual(arr(x).map(Math.exp));
    expect(arr(back(f64([1, 0, 2]))[0])).toEqual([1, 0, 2 * Math.exp(2)]);
    expect(arr(back(f64([1, 1, 1]))[0])).toEqual(arr(x).map(Math.exp));
  });

  it('jvp(f, [A, x], [0, t]) = A t, and the tangent of an elementwise map is f′(x) ⊙ t', () => {
    const A = f64([[1, 2], [3, 4], [5, 6]]);
    const x = f64([[1], [1]]);
    const [out, jt] = jvp((a, v) => matmul(a, v), [A, x], [f64([[0, 0], [0, 0], [0, 0]]), f64([[1], [-1]])]);
    expect(arr(out)).toEqual([3, 7, 11]);
    expect(arr(jt)).toEqual([-1, -1, -1]);
    const [, jt2] = jvp((v) => tanh(v), [f64([0.5, -1])], [f64([2, 3])]);
    jt2.data.forEach((d, i) => expect(d).toBeCloseTo([2, 3][i] * (1 - Math.tanh([0.5, -1][i]) ** 2), 14));
  });

  it('hvp of a small MLP loss matches central differences of its gradient', () => {
    // loss(W1, b1, W2, b2) = crossEntropy(tanh(x W1 + b1) W2 + b2, labels); H v by double backward vs
    // (∇loss(θ + εv) − ∇loss(θ − εv)) / 2ε
    const rng = new Random(3);
    const r = (shape: number[]) => randn(shape, { dtype: 'float64', rng });
    const x = r([5, 3]);
    const labels = [0, 2, 1, 1, 0];
    const theta = [r([3, 4]), r([4]), r([4, 3]), r([3])];
    const v = theta.map((p) => r([...p.shape]));
    const loss = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) => crossEntropy(add(matmul(tanh(add(matmul(x, W1), b1)), W2), b2), labels);
    const Hv = hvp(loss, theta, v);
    const eps = 1e-5;
    const gradAt = (s: number) =>
      grad(loss, { argnums: [0, 1, 2, 3] })(
        ...(theta.map((p, i) => noGrad(() => add(p, mul(v[i], s * eps)))) as [Tensor, Tensor, Tensor, Tensor]),
      ) as Tensor[];
    const [plus, minus] = [gradAt(1), gradAt(-1)];
    let worst = 0;
    Hv.forEach((h, i) => {
      expect(h.shape).toEqual(theta[i].shape);
      h.data.forEach((hj, j) => {
        const fd = (plus[i].data[j] - minus[i].data[j]) / (2 * eps);
        worst = Math.max(worst, Math.abs(hj - fd) / Math.max(Math.abs(fd), 1e-3));
      });
    });
    expect(worst).toBeLessThan(1e-6);
  });
});
