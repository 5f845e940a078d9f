// The PyTorch-named method sugar of the indexing, element-wise and comparison ops: each method is the function.
import { describe, expect, it } from 'vitest';
import { tensor } from '../creation.ts';
import * as ops from './index.ts';

const x = tensor(
  [
    [0.5, -2, 3],
    [-1, 4, 0.25],
  ],
  { dtype: 'float64' },
);
const same = (a: { toArray(): unknown; shape: readonly number[] }, b: { toArray(): unknown; shape: readonly number[] }) => {
  expect(a.shape).toEqual(b.shape);
  expect(a.toArray()).toEqual(b.toArray());
};

describe('Tensor methods', () => {
  it('indexing and shapes', () => {
    same(x.at(1), ops.at(x, 1));
    same(x.select(1, -1), ops.select(x, 1, -1));
    same(x.narrow(1, 1, 2), ops.narrow(x, 1, 1, 2));
    same(x.slice(1, 0, 3, 2), ops.slice(x, 1, 0, 3, 2));
    same(x.indexSelect(0, [1, 1]), ops.indexSelect(x, 0, [1, 1]));
    same(x.gather(1, [[2], [0]]), ops.gather(x, 1, [[2], [0]]));
    same(x.unsqueeze(1), ops.unsqueeze(x, 1));
    same(x.unsqueeze(0).squeeze(), x);
    same(x.flatten(), ops.flatten(x));
    same(x.view(-1, 2), ops.reshape(x, [3, 2]));
    same(x.view([3, -1]), ops.reshape(x, [3, 2]));
  });
  it('element-wise and comparisons', () => {
    same(x.abs(), ops.abs(x));
    same(x.square(), ops.square(x));
    same(x.log1p(), ops.log1p(x));
    same(x.expm1(), ops.expm1(x));
    same(x.erf(), ops.erf(x));
    same(x.sign(), ops.sign(x));
    same(x.clamp(-1, 1), ops.clamp(x, -1, 1));
    same(x.maximum(0), ops.maximum(x, 0));
    same(x.minimum(0), ops.minimum(x, 0));
    same(x.where(x.gt(0), 0), ops.where(ops.gt(x, 0), x, 0));
    same(x.lt(0), ops.lt(x, 0));
    same(x.ge(0.5), ops.ge(x, 0.5));
    same(x.le(0.5), ops.le(x, 0.5));
    same(x.eq(4), ops.eq(x, 4));
    same(x.ne(4), ops.ne(x, 4));
  });
  it('reductions', () => {
    same(x.min(1), ops.min(x, 1));
    same(x.argmax(1), tensor([2, 1], { dtype: 'float64' }));
    same(x.argmin(), tensor(1, { dtype: 'float64' }));
    same(x.logsumexp(0, true), ops.logsumexp(x, 0, true));
    same(x.var(1), ops.variance(x, 1));
    same(x.var(null, false, 0), ops.variance(x, null, false, 0));
    same(x.std(0), ops.std(x, 0));
  });
  it('accuracy the PyTorch way: logits.argmax(1).eq(labels).mean()', () => {
    const logits = tensor([[0.1, 2, -1], [3, 0, 0], [0, 0, 1]]);
    expect(logits.argmax(1).eq(tensor([1, 2, 2])).mean().item()).toBeCloseTo(2 / 3, 6);
  });
});
