import { describe, expect, it } from 'vitest';
import type { Shape } from '../kernels/index.ts';
import { tensor, zeros } from '../creation.ts';
import { checkGrads } from '../testing/check-grads.ts';
import { max, mean, sum } from './index.ts';

type Axis = number | number[] | null;
const CASES: [Shape, Axis][] = [
  [[3, 4], null],
  [[3, 4], 0],
  [[3, 4], -1],
  [[3, 4], [0, 1]],
  [[2, 3, 4], 1],
  [[2, 3, 4], [0, 2]],
  [[2, 3, 4], [-1, 0]],
  [[5], 0],
  [[], null],
];

describe.each([
  ['sum', sum],
  ['mean', mean],
  ['max', max],
] as const)('%s', (name, op) => {
  it.each(CASES)('gradients for %j over axis %j, with and without keepDims', (shape, axis) => {
    checkGrads((a) => op(a, axis, false), [shape]);
    checkGrads((a) => op(a, axis, true), [shape]);
  });
  it('output shapes', () => {
    const a = zeros([2, 3, 4]);
    expect(op(a).shape).toEqual([]);
    expect(op(a, null, true).shape).toEqual([1, 1, 1]);
    expect(op(a, 1).shape).toEqual([2, 4]);
    expect(op(a, [0, 2], true).shape).toEqual([1, 3, 1]);
    expect(op(a, []).shape).toEqual([2, 3, 4]);
  });
  it('names a bad axis', () => {
    expect(() => op(zeros([2, 3]), 2)).toThrow(`${name}: axis 2 is out of range for a tensor of rank 2 (expected -2 … 1)`);
    expect(() => op(zeros([2, 3]), [1, -1])).toThrow(`${name}: repeated axis in [1, -1]`);
    expect(() => op(zeros([2, 3]), 0.5)).toThrow(`${name}: axis 0.5 is out of range`);
  });
});

describe('forward values', () => {
  const a = tensor([[1, 5, 3], [4, 2, 6]], { dtype: 'float64' });
  it('sum, mean and max along axes', () => {
    expect(sum(a, 0).toArray()).toEqual([5, 7, 9]);
    expect(mean(a, 1, true).toArray()).toEqual([[3], [4]]);
    expect(max(a, 1).toArray()).toEqual([5, 6]);
    expect(max(a).item()).toBe(6);
    expect(a.sum().item()).toBe(21);
  });
  it('refuse to average or maximise over nothing', () => {
    expect(() => mean(zeros([2, 0]), 1)).toThrow('mean: cannot average over zero elements (shape [2, 0], axes [1])');
    expect(() => max(zeros([2, 0]), 1)).toThrow('max: cannot take the maximum over an empty axis (shape [2, 0], axes [1])');
  });
});

describe('max gradient', () => {
  it('goes to the first maximal element of each slice on a tie', () => {
    const a = tensor([[3, 1, 3], [2, 2, 0]], { requiresGrad: true });
    max(a, 1).sum().backward();
    expect(a.grad!.toArray()).toEqual([[1, 0, 0], [1, 0, 0]]);
    a.zeroGrad();
    max(a).backward();
    expect(a.grad!.toArray()).toEqual([[1, 0, 0], [0, 0, 0]]);
  });
  it('scatters g to the argmax along axis 0', () => {
    const a = tensor([[1, 5], [4, 2]], { requiresGrad: true });
    max(a, 0).mul(tensor([10, 20])).sum().backward();
    expect(a.grad!.toArray()).toEqual([[0, 20], [10, 0]]);
  });
});
