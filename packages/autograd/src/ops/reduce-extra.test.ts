import { describe, expect, it } from 'vitest';
import type { Shape } from '../kernels/index.ts';
import { tensor, zeros } from '../creation.ts';
import { gradgradcheck } from '../gradgradcheck.ts';
import { checkGrads, randomInputs } from '../testing/check-grads.ts';
import type { Tensor } from '../tensor.ts';
import { argmax, argmin, logsumexp, min, mul, std, variance } from './index.ts';

type Axis = number | number[] | null;
const CASES: [Shape, Axis][] = [
  [[3, 4], null],
  [[3, 4], 0],
  [[3, 4], -1],
  [[2, 3, 4], 1],
  [[2, 3, 4], [0, 2]],
  [[5], 0],
];

function expectGradgrad(fn: (a: Tensor) => Tensor, shape: Shape): void {
  const r = gradgradcheck(fn, randomInputs([shape]));
  expect(r.ok, r.summary).toBe(true);
}

describe('min, logsumexp, variance, std', () => {
  it.each(CASES)('gradients for %j over axis %j, with and without keepDims', (shape, axis) => {
    for (const keep of [false, true]) {
      checkGrads((a) => min(a, axis, keep), [shape]);
      checkGrads((a) => logsumexp(a, axis, keep), [shape]);
      checkGrads((a) => variance(a, axis, keep), [shape]);
      checkGrads((a) => variance(a, axis, keep, 0), [shape]);
      checkGrads((a) => std(a, axis, keep), [shape]);
    }
  });
  it('second derivatives', () => {
    expectGradgrad((a) => mul(min(a, 1), min(a, 1)), [3, 4]);
    expectGradgrad((a) => logsumexp(a, 1), [3, 4]);
    expectGradgrad((a) => logsumexp(a, [0, 2], true), [2, 3, 4]);
    expectGradgrad((a) => variance(a, 0), [3, 4]);
    expectGradgrad((a) => variance(a, null, false, 0), [2, 3]);
    expectGradgrad((a) => std(a, -1), [3, 4]);
  });
  it('values', () => {
    const a = tensor([[1, 5, 3], [4, 2, 6]], { dtype: 'float64' });
    expect(min(a, 1).toArray()).toEqual([1, 2]);
    expect(min(a).item()).toBe(1);
    expect(variance(a, 1).toArray()).toEqual([4, 4]);
    expect(variance(a, 1, true, 0).toArray()).toEqual([[8 / 3], [8 / 3]]);
    expect(std(a, 0).toArray()).toEqual([Math.sqrt(4.5), Math.sqrt(4.5), Math.sqrt(4.5)]);
    expect(logsumexp(tensor([[0, 0]], { dtype: 'float64' }), 1).item()).toBe(Math.LN2);
  });
  it('logsumexp stays finite for huge logits and handles −∞ and +∞ as PyTorch', () => {
    expect(logsumexp(tensor([1000, 1000], { dtype: 'float64' })).item()).toBe(1000 + Math.LN2);
    expect(logsumexp(tensor([-1000, -1000], { dtype: 'float64' })).item()).toBe(-1000 + Math.LN2);
    expect(logsumexp(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(logsumexp(tensor([Infinity, 0])).item()).toBe(Infinity);
  });
  it('min gives the gradient to the first minimal element on a tie', () => {
    const a = tensor([[3, 1, 1], [2, 2, 5]], { requiresGrad: true });
    min(a, 1).sum().backward();
    expect(a.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });
  it('errors name the op, the shape and what was expected', () => {
    expect(() => variance(zeros([3, 1]), 1)).toThrow(
      'variance: 1 element per slice (shape [3, 1], axes [1]) with correction 1 leaves no degrees of freedom (n − correction = 0); pass correction 0 for the population variance',
    );
    expect(() => std(zeros([2]), 0, false, -1)).toThrow('std: correction must be a non-negative number, got -1');
    expect(() => min(zeros([2, 0]), 1)).toThrow('min: cannot take the minimum over an empty axis (shape [2, 0], axes [1])');
    expect(() => logsumexp(zeros([2]), 1)).toThrow('logsumexp: axis 1 is out of range for a tensor of rank 1 (expected -1 … 0)');
  });
});

describe('argmax and argmin', () => {
  const a = tensor([[1, 5, 5], [7, 2, 0]]);
  it('give indices along an axis (the first on a tie), or the flat index over all', () => {
    expect(argmax(a, 1).toArray()).toEqual([1, 0]);
    expect(argmin(a, 1).toArray()).toEqual([0, 2]);
    expect(argmax(a, 0).toArray()).toEqual([1, 0, 0]);
    expect(argmin(a, -2, true).toArray()).toEqual([[0, 1, 1]]);
    expect(argmax(a).item()).toBe(3);
    expect(argmin(a).item()).toBe(5);
    expect(argmax(tensor([[[1, 9], [3, 4]], [[8, 2], [0, 7]]]), 1).toArray()).toEqual([[1, 0], [0, 1]]);
  });
  it('take no gradient and keep the dtype', () => {
    const x = tensor([1, 3, 2], { requiresGrad: true, dtype: 'float64' });
    const i = argmax(x);
    expect(i.requiresGrad).toBe(false);
    expect(i.dtype).toBe('float64');
  });
  it('check the axis', () => {
    expect(() => argmax(a, [0, 1] as never)).toThrow('argmax: axis must be one axis (a number) or null for all, got [0, 1]');
    expect(() => argmin(a, 2)).toThrow('argmin: axis 2 is out of range for a tensor of rank 2');
    expect(() => argmax(zeros([0]))).toThrow('argmax: the tensor [0] is empty; there is no maximum');
  });
});
