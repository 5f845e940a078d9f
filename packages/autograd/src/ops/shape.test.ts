import { describe, expect, it } from 'vitest';
import { tensor, zeros } from '../creation.ts';
import { checkGrads } from '../testing/check-grads.ts';
import { broadcastTo, cast, mul, reshape, scatterAdd, sum, sumToShape, take, transpose } from './index.ts';

describe('transpose', () => {
  it.each([[[3, 4]], [[1, 5]], [[4, 1]]])('gradients for %j', (shape) => {
    checkGrads(transpose, [shape]);
  });
  it('swaps the axes', () => {
    expect(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });
  it('accepts only 2-D tensors', () => {
    expect(() => transpose(zeros([2, 3, 4]))).toThrow('transpose: expected a 2-D tensor, got shape [2, 3, 4] (rank 3)');
    expect(() => zeros([3]).T).toThrow('transpose: expected a 2-D tensor, got shape [3] (rank 1)');
  });
});

describe('reshape', () => {
  it('gradients, with and without an inferred dimension', () => {
    checkGrads((a) => reshape(a, [2, 6]), [[3, 4]]);
    checkGrads((a) => reshape(a, [-1, 4]), [[2, 3, 4]]);
    checkGrads((a) => mul(reshape(a, [3, 2, 1]), 2), [[2, 3]]);
  });
  it('keeps row-major order and infers -1', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(reshape(a, [3, -1]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(reshape(a, [-1]).shape).toEqual([6]);
    expect(reshape(tensor([7]), []).item()).toBe(7);
  });
  it('explains a bad shape', () => {
    const a = zeros([3, 4]);
    expect(() => reshape(a, [5, 2])).toThrow('reshape: cannot reshape [3, 4] (12 elements) to [5, 2]: the new shape has 10 elements; expected 12');
    expect(() => reshape(a, [-1, -1])).toThrow('reshape: cannot reshape [3, 4] (12 elements) to [-1, -1]: only one dimension may be -1');
    expect(() => reshape(a, [5, -1])).toThrow('12 elements cannot be split into rows of 5');
    expect(() => reshape(a, [2.5, 4])).toThrow('dimensions must be non-negative integers or a single -1, got 2.5');
  });
});

describe('broadcastTo and sumToShape (the broadcast adjoint pair)', () => {
  it('gradients', () => {
    checkGrads((a) => broadcastTo(a, [2, 3, 4]), [[3, 1]]);
    checkGrads((a) => sumToShape(a, [3, 1]), [[2, 3, 4]]);
    checkGrads((a) => sumToShape(a, []), [[2, 3]]);
  });
  it('refuses shapes that do not broadcast', () => {
    expect(() => broadcastTo(zeros([3, 2]), [3, 4])).toThrow('broadcastTo: shapes [3, 2] and [3, 4] cannot be broadcast together');
  });
});

describe('cast', () => {
  it('converts, and returns the tensor itself for its own dtype', () => {
    const a = tensor([1.1, 2], { dtype: 'float64' });
    expect(cast(a, 'float32').dtype).toBe('float32');
    expect(cast(a, 'float32').data[0]).toBe(Math.fround(1.1));
    expect(cast(a, 'float64')).toBe(a);
    expect(a.to('float32').to('float64').dtype).toBe('float64');
  });
  it('passes the gradient back in the source dtype', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    sum(mul(cast(a, 'float32'), tensor([1, 2, 3]))).backward();
    expect(a.grad!.dtype).toBe('float64');
    expect(a.grad!.toArray()).toEqual([1, 2, 3]);
  });
  it('rejects an unknown dtype', () => {
    expect(() => cast(zeros([1]), 'int8' as never)).toThrow(`cast: unknown dtype "int8"; expected 'float32' or 'float64'`);
  });
});

describe('take and scatterAdd (flat indices)', () => {
  it('pick and add back, repeated indices adding up', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(take(a, [3, 0, 3]).toArray()).toEqual([4, 1, 4]);
    expect(scatterAdd(tensor([1, 2, 5]), [3, 0, 3], [2, 2]).toArray()).toEqual([[2, 0], [0, 6]]);
  });
  it('gradients of each other', () => {
    checkGrads((a) => take(a, [5, 0, 5, 2], [2, 2]), [[2, 3]]);
    checkGrads((v) => scatterAdd(v, [5, 0, 5, 2], [2, 3]), [[4]]);
  });
  it('check their indices and sizes', () => {
    expect(() => take(zeros([4]), [4])).toThrow('take: index 4 at position 0 is out of range; expected an integer in [0, 3]');
    expect(() => take(zeros([4]), [1, 2], [3])).toThrow('take: shape [3] holds 3 elements but 2 indices were given');
    expect(() => scatterAdd(zeros([2]), [0], [3])).toThrow('scatterAdd: 2 values [2] but 1 indices; expected one index per value');
  });
});

// The tape keeps the shape array a library op returns rather than copying it (tensorOfOp), so an op that is given a
// shape must return its own array: a caller reusing the one it passed must not reshape the result.
describe('shapes passed to ops', () => {
  it('are copied, so that the caller may reuse the array', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const cases: [string, (shape: number[]) => { shape: readonly number[] }, number[]][] = [
      ['reshape', (s) => reshape(a, s), [3, 2]],
      ['broadcastTo', (s) => broadcastTo(tensor([1, 2, 3]), s), [2, 3]],
      ['sumToShape', (s) => sumToShape(a, s), [1, 3]],
      ['take', (s) => take(a, [0, 5, 1, 4], s), [2, 2]],
      ['scatterAdd', (s) => scatterAdd(tensor([1, 2]), [0, 3], s), [2, 2]],
    ];
    for (const [op, f, shape] of cases) {
      const passed = shape.slice();
      const out = f(passed);
      passed[0] = 99;
      expect(out.shape, op).toEqual(shape);
    }
  });
});
