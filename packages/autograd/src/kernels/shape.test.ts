import { describe, expect, it } from 'vitest';
import { broadcastShapes, normalizeAxes, reducedShape, sizeOf, stridesOf } from './shape.ts';

describe('shape helpers', () => {
  it('broadcasts NumPy-style, aligned on the last axis', () => {
    expect(broadcastShapes('t', [3, 4], [4])).toEqual([3, 4]);
    expect(broadcastShapes('t', [3, 1], [1, 4])).toEqual([3, 4]);
    expect(broadcastShapes('t', [2, 3, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes('t', [], [2, 3])).toEqual([2, 3]);
  });

  it('names the op, both shapes and the clashing axis when shapes cannot broadcast', () => {
    expect(() => broadcastShapes('add', [3, 4], [3])).toThrow('add: shapes [3, 4] and [3] cannot be broadcast together (axis -1: 4 ≠ 3, and neither is 1)');
  });

  it('computes sizes, strides and reduced shapes', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 0, 3])).toBe(0);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(reducedShape([2, 3, 4], [1], true)).toEqual([2, 1, 4]);
    expect(reducedShape([2, 3, 4], [0, 2], false)).toEqual([3]);
  });

  it('normalises negative, repeated and out-of-range axes', () => {
    expect(normalizeAxes('sum', -1, 3)).toEqual([2]);
    expect(normalizeAxes('sum', null, 2)).toEqual([0, 1]);
    expect(normalizeAxes('sum', [2, 0], 3)).toEqual([0, 2]);
    expect(() => normalizeAxes('sum', 3, 3)).toThrow('sum: axis 3 is out of range for a tensor of rank 3 (expected -3 … 2)');
    expect(() => normalizeAxes('sum', [1, -2], 3)).toThrow('sum: repeated axis');
  });
});
