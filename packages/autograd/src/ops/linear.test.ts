import { describe, expect, it } from 'vitest';
import { tensor, zeros } from '../creation.ts';
import { checkGrads } from '../testing/check-grads.ts';
import { add, linear, matmul } from './index.ts';

describe('linear: z = x W + b in one op', () => {
  it.each([
    [[2, 3], [3, 4], [4]],
    [[1, 5], [5, 1], [1]],
    [[4, 1], [1, 3], [3]],
  ])('gradients for x %j, W %j, b %j', (sx, sw, sb) => {
    checkGrads(linear, [sx, sw, sb]);
    checkGrads(linear, [sx, sw, sb], { constants: [0] });
  });

  it('gives add(matmul(x, W), b) bit for bit, below and above the wasm thresholds', () => {
    for (const [m, kk, n] of [[3, 2, 2], [64, 33, 17]]) {
      const x = tensor(Array.from({ length: m }, (_, i) => Array.from({ length: kk }, (_, j) => Math.sin(i * kk + j))));
      const W = tensor(Array.from({ length: kk }, (_, i) => Array.from({ length: n }, (_, j) => Math.cos(i * n + j))));
      const b = tensor(Array.from({ length: n }, (_, j) => j / 7));
      expect(Array.from(linear(x, W, b).data)).toEqual(Array.from(add(matmul(x, W), b).data));
    }
  });

  it('names the op and the shapes that do not chain', () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 5]), zeros([5]))).toThrow(
      'linear: shapes do not chain: x is [2, 3], W is [4, 5], b is [5]; expected x [N, in], W [in, out], b [out]',
    );
    expect(() => linear(zeros([2, 3]), zeros([3, 5]), zeros([4]))).toThrow('linear: shapes do not chain');
    expect(() => linear(zeros([3]), zeros([3, 5]), zeros([5]))).toThrow('linear: expected x 2-D, W 2-D and b 1-D, got x [3]');
  });
});
