import { describe, expect, it } from 'vitest';
import type { Shape } from '../kernels/index.ts';
import { tensor, zeros } from '../creation.ts';
import { checkGrads } from '../testing/check-grads.ts';
import { matmul, matmulNT, matmulTN } from './index.ts';

describe('matmul family', () => {
  const CASES: [Shape, Shape][] = [
    [[2, 3], [3, 4]],
    [[1, 5], [5, 1]],
    [[3, 1], [1, 3]],
    [[4, 4], [4, 2]],
  ];
  it.each(CASES)('matmul gradients for %j @ %j', (sa, sb) => {
    checkGrads(matmul, [sa, sb]);
    checkGrads(matmul, [sa, sb], { constants: [1] });
  });
  it('matmulTN (aᵀ b) and matmulNT (a bᵀ) gradients', () => {
    checkGrads(matmulTN, [[3, 2], [3, 4]]);
    checkGrads(matmulNT, [[2, 3], [4, 3]]);
  });
  it('agrees with the explicit transposes', () => {
    const a = tensor([[1, 2], [3, 4], [5, 6]]);
    const b = tensor([[1, 0, 2], [0, 1, 3], [1, 1, 1]]);
    expect(matmulTN(a, b).toArray()).toEqual(matmul(a.T, b).toArray());
    expect(matmulNT(b, a.T).toArray()).toEqual(matmul(b, a).toArray());
  });
  it('names the op, both shapes and the differing dimensions', () => {
    expect(() => matmul(zeros([32, 784]), zeros([256, 10]))).toThrow(
      'matmul: inner dimensions differ: a is [32, 784], b is [256, 10] (784 ≠ 256)',
    );
    expect(() => matmulNT(zeros([2, 3]), zeros([4, 2]))).toThrow('matmulNT: inner dimensions differ');
  });
  it('rejects tensors that are not 2-D', () => {
    expect(() => matmul(zeros([3]), zeros([3, 2]))).toThrow('matmul: expected 2-D tensors, got a [3] and b [3, 2]');
  });
});
