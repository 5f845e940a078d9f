import { describe, expect, it } from 'vitest';
import type { Shape } from '../kernels/index.ts';
import { tensor, zeros } from '../creation.ts';
import { gradgradcheck } from '../gradgradcheck.ts';
import { checkGrads, randomInputs } from '../testing/check-grads.ts';
import type { Tensor } from '../tensor.ts';
import { abs, clamp, elu, eq, erf, expm1, ge, gelu, gt, le, log1p, lt, maximum, minimum, mul, ne, sign, softplus, square, sum, where } from './index.ts';

const SHAPES: Shape[] = [[3, 4], [2, 3, 4], [5]];

/** Values in ±[0.1, 2): away from the kinks at 0 of abs, elu (second derivative) and the like. */
const AWAY_FROM_ZERO = [-2, -1.3, -0.7, -0.15, 0.12, 0.4, 0.9, 1.6, -1.8, 1.1, -0.45, 0.25];

/** gradgradcheck at random float64 inputs (or the given values), with a readable failure. */
function expectGradgrad(fn: (...xs: Tensor[]) => Tensor, shapes: Shape[], values?: (number[] | undefined)[], domain?: [number, number]): void {
  const r = gradgradcheck(fn, randomInputs(shapes, { values, domain }));
  expect(r.ok, r.summary).toBe(true);
}

describe('smooth element-wise ops', () => {
  it.each(SHAPES)('square, log1p, expm1, erf, gelu, softplus gradients for %j', (...shape) => {
    checkGrads(square, [shape]);
    checkGrads(log1p, [shape], { domain: [-0.7, 3] });
    checkGrads(expm1, [shape]);
    checkGrads(erf, [shape]);
    checkGrads((a) => gelu(a), [shape], { domain: [-3, 3] });
    checkGrads((a) => gelu(a, 'tanh'), [shape], { domain: [-3, 3] });
    checkGrads((a) => softplus(a), [shape], { domain: [-4, 4] });
    checkGrads((a) => softplus(a, 2, 3), [shape], { domain: [-1, 1.4] });
  });
  it('second derivatives', () => {
    expectGradgrad(square, [[3, 4]]);
    expectGradgrad(log1p, [[3, 4]], undefined, [-0.5, 2]);
    expectGradgrad(expm1, [[3, 4]]);
    expectGradgrad(erf, [[3, 4]]);
    expectGradgrad((a) => gelu(a), [[3, 4]], undefined, [-3, 3]);
    expectGradgrad((a) => gelu(a, 'tanh'), [[3, 4]], undefined, [-3, 3]);
    expectGradgrad((a) => softplus(a, 1.5), [[3, 4]], undefined, [-3, 3]);
  });
  it('values at known points', () => {
    const x = tensor([0, 1, -1, 6, -30], { dtype: 'float64' });
    expect(Array.from(erf(x).data)).toEqual([0, 0.8427007929497149, -0.8427007929497149, 1, -1]);
    expect(gelu(tensor([0], { dtype: 'float64' })).item()).toBe(0);
    expect(gelu(tensor([1], { dtype: 'float64' })).item()).toBeCloseTo(0.8413447460685429, 15); // Φ(1)
    expect(softplus(tensor([-1000, 0, 1000], { dtype: 'float64' })).toArray()).toEqual([0, Math.LN2, 1000]);
    expect(log1p(tensor([1e-20], { dtype: 'float64' })).item()).toBe(1e-20);
    expect(expm1(tensor([1e-20], { dtype: 'float64' })).item()).toBe(1e-20);
  });
  it('softplus is linear above its threshold (gradient exactly g there)', () => {
    const a = tensor([25, -1], { dtype: 'float64', requiresGrad: true });
    softplus(a).sum().backward();
    expect(a.grad!.data[0]).toBe(1);
    expect(a.grad!.data[1]).toBeCloseTo(1 / (1 + Math.E), 15);
  });
  it('check their options', () => {
    expect(() => gelu(zeros([2]), 'fast' as never)).toThrow(`gelu: approximate must be 'none' or 'tanh', got "fast"`);
    expect(() => softplus(zeros([2]), 0)).toThrow('softplus: beta must be a finite non-zero number, got 0');
    expect(() => elu(zeros([2]), Number.NaN)).toThrow('elu: alpha must be a finite number, got NaN');
  });
});

describe('abs, elu, clamp (kinks)', () => {
  it.each(SHAPES)('gradients for %j away from the kinks', (...shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = [Array.from({ length: n }, (_, i) => AWAY_FROM_ZERO[i % AWAY_FROM_ZERO.length])];
    checkGrads(abs, [shape], { values });
    checkGrads((a) => elu(a), [shape], { values });
    checkGrads((a) => elu(a, 0.5), [shape], { values });
    checkGrads((a) => clamp(a, -1, 1), [shape], { values });
    checkGrads((a) => clamp(a, 0.3), [shape], { values });
    checkGrads((a) => clamp(a, null, 0.3), [shape], { values });
  });
  it('second derivatives', () => {
    const values = [AWAY_FROM_ZERO];
    expectGradgrad((a) => mul(abs(a), a), [[12]], values);
    expectGradgrad((a) => elu(a, 0.7), [[12]], values);
    expectGradgrad((a) => mul(clamp(a, -1, 1), a), [[12]], values);
  });
  it('take the derivative at the kink as PyTorch does', () => {
    const a = tensor([0, -1, 1, 2], { dtype: 'float64', requiresGrad: true });
    abs(a).sum().backward();
    expect(a.grad!.toArray()).toEqual([0, -1, 1, 1]);
    a.zeroGrad();
    clamp(a, -1, 1).sum().backward(); // the bounds themselves pass the gradient
    expect(a.grad!.toArray()).toEqual([1, 1, 1, 0]);
    a.zeroGrad();
    elu(a).sum().backward(); // at 0 the left derivative α·e⁰ = 1
    expect(a.grad!.toArray()).toEqual([1, Math.exp(-1), 1, 1]);
  });
  it('clamp values and errors', () => {
    expect(clamp(tensor([-3, 0.5, 3]), -1, 1).toArray()).toEqual([-1, 0.5, 1]);
    expect(() => clamp(zeros([2]))).toThrow('clamp: expected at least one of min and max');
    expect(() => clamp(zeros([2]), 2, 1)).toThrow('clamp: min 2 is greater than max 1');
    expect(() => clamp(zeros([2]), Number.NaN)).toThrow('clamp: min must be a number (or null for none), got NaN');
  });
});

describe('maximum, minimum, where', () => {
  const pairs: [Shape, Shape][] = [
    [[3, 4], [3, 4]],
    [[3, 4], [4]],
    [[2, 1, 4], [3, 1]],
    [[2, 3], []],
  ];
  it.each(pairs)('gradients for %j and %j', (sa, sb) => {
    // distinct draws from different ranges never tie
    checkGrads(maximum, [sa, sb], { domain: [[-2, 2], [-1.9, 2.1]], seed: 3 });
    checkGrads(minimum, [sa, sb], { domain: [[-2, 2], [-1.9, 2.1]], seed: 3 });
    const last = sa[sa.length - 1];
    const cond = gt(tensor(Array.from({ length: last }, (_, i) => (i % 2 === 0 ? 1 : -1))), 0); // [1, 0, 1, …] along the last axis
    checkGrads((a, b) => where(cond, a, b), [sa, sb]);
  });
  it('second derivatives', () => {
    expectGradgrad((a, b) => mul(maximum(a, b), a), [[3, 4], [4]]);
    expectGradgrad((a, b) => mul(minimum(a, b), b), [[3, 4], [3, 1]]);
    const cond = tensor([[1, 0, 0, 1]], { dtype: 'float64' });
    expectGradgrad((a, b) => mul(where(cond, a, b), a), [[3, 4], [3, 1]]);
  });
  it('split a tie evenly, as PyTorch', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([2, 2, 2], { dtype: 'float64', requiresGrad: true });
    maximum(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0, 0.5, 1]);
    expect(b.grad!.toArray()).toEqual([1, 0.5, 0]);
    expect(maximum(tensor([-1, 2]), 0).toArray()).toEqual([0, 2]);
    expect(minimum(tensor([-1, 2]), 0).toArray()).toEqual([-1, 0]);
  });
  it('where picks and routes the gradient, numbers allowed on either side', () => {
    const x = tensor([[-1, 2], [3, -4]], { requiresGrad: true });
    const y = where(gt(x, 0), x, 0);
    expect(y.toArray()).toEqual([[0, 2], [3, 0]]);
    sum(mul(y, y)).backward();
    expect(x.grad!.toArray()).toEqual([[0, 4], [6, 0]]);
    expect(where(tensor([1, 0]), 5, 7).toArray()).toEqual([5, 7]);
    expect(where(tensor([1, 0], { dtype: 'float64' }), tensor([1, 1]), -1).toArray()).toEqual([1, -1]); // the mask's dtype does not matter
    expect(() => where(zeros([3]), zeros([2]), 0)).toThrow('where: shapes [3] and [2] cannot be broadcast together');
    expect(() => where([1, 0] as never, 1, 0)).toThrow('where: the condition must be a Tensor');
    expect(() => where(tensor([1]), 'x' as never, 0)).toThrow('where: expected a Tensor or a number for a, got string');
  });
});

describe('comparisons (masks, no gradient)', () => {
  const a = tensor([1, 2, 3], { requiresGrad: true });
  it('give 0/1 masks that broadcast and do not require grad', () => {
    expect(gt(a, 2).toArray()).toEqual([0, 0, 1]);
    expect(lt(a, 2).toArray()).toEqual([1, 0, 0]);
    expect(ge(a, 2).toArray()).toEqual([0, 1, 1]);
    expect(le(a, 2).toArray()).toEqual([1, 1, 0]);
    expect(eq(a, tensor([[1], [3]])).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(ne(2, a).toArray()).toEqual([1, 0, 1]);
    expect(gt(a, 2).requiresGrad).toBe(false);
    expect(gt(a, 2).dtype).toBe('float32');
    expect(sign(tensor([-2, 0, 5])).toArray()).toEqual([-1, 0, 1]);
    expect(gt(tensor([Number.NaN]), 0).toArray()).toEqual([0]);
  });
  it('accuracy is a mean of eq', () => {
    const pred = tensor([2, 0, 1, 1]);
    expect(eq(pred, tensor([2, 1, 1, 0])).mean().item()).toBe(0.5);
  });
  it('name the shapes that do not broadcast', () => {
    expect(() => gt(zeros([2]), zeros([3]))).toThrow('gt: shapes [2] and [3] cannot be broadcast together');
  });
});
