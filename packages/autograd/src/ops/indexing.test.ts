import { describe, expect, it } from 'vitest';
import { tensor, zeros } from '../creation.ts';
import { gradgradcheck } from '../gradgradcheck.ts';
import { randomInputs } from '../testing/check-grads.ts';
import { checkGrads } from '../testing/check-grads.ts';
import type { Tensor } from '../tensor.ts';
import { at, cat, flatten, gather, indexSelect, mul, narrow, select, slice, squeeze, stack, unsqueeze } from './index.ts';

const x = tensor(
  [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
  ],
  { dtype: 'float64' },
);

/** gradgradcheck of `fn` squared (so that the second derivative is not zero) at random float64 inputs. */
function expectGradgrad(fn: (...xs: Tensor[]) => Tensor, shapes: number[][]): void {
  const r = gradgradcheck((...xs) => mul(fn(...xs), fn(...xs)), randomInputs(shapes));
  expect(r.ok, r.summary).toBe(true);
}

describe('select, at, narrow, slice', () => {
  it('pick the same elements as PyTorch indexing', () => {
    expect(select(x, 1, 2).toArray()).toEqual([3, 7, 11]); // x[:, 2]
    expect(select(x, 0, -1).toArray()).toEqual([9, 10, 11, 12]); // x[-1]
    expect(at(x, 1).toArray()).toEqual([5, 6, 7, 8]); // x[1]
    expect(x.at(-3).toArray()).toEqual([1, 2, 3, 4]);
    expect(at(at(x, 2), 0).item()).toBe(9);
    expect(narrow(x, 1, 1, 2).toArray()).toEqual([[2, 3], [6, 7], [10, 11]]); // x[:, 1:3]
    expect(narrow(x, 0, -1, 1).toArray()).toEqual([[9, 10, 11, 12]]);
    expect(slice(x, 1, 1).toArray()).toEqual([[2, 3, 4], [6, 7, 8], [10, 11, 12]]); // x[:, 1:]
    expect(slice(x, 1, null, null, 2).toArray()).toEqual([[1, 3], [5, 7], [9, 11]]); // x[:, ::2]
    expect(slice(x, 0, -2).toArray()).toEqual([[5, 6, 7, 8], [9, 10, 11, 12]]); // x[-2:]
    expect(slice(x, 0, 1, 100).shape).toEqual([2, 4]); // bounds clamp, as in Python
    expect(slice(x, 0, 3, 1).shape).toEqual([0, 4]);
  });
  it('gradients (each op, and the same position picked twice)', () => {
    checkGrads((a) => select(a, 1, -2), [[3, 4]]);
    checkGrads((a) => select(a, 2, 0), [[2, 3, 2]]);
    checkGrads((a) => at(a, 1), [[3, 4]]);
    checkGrads((a) => at(a, 0), [[3]]);
    checkGrads((a) => narrow(a, 1, 1, 2), [[2, 3, 4]]);
    checkGrads((a) => slice(a, 0, 1, null, 2), [[5, 2]]);
    checkGrads((a) => mul(at(a, 1), at(a, 1)), [[3, 4]]);
  });
  it('second derivatives', () => {
    expectGradgrad((a) => select(a, 1, 2), [[3, 4]]);
    expectGradgrad((a) => at(a, -1), [[3, 4]]);
    expectGradgrad((a) => narrow(a, 0, 1, 2), [[3, 4]]);
    expectGradgrad((a) => slice(a, 1, 0, 4, 3), [[2, 4]]);
  });
  it('name the op, the index and the shape when out of range', () => {
    expect(() => select(x, 1, 4)).toThrow('select: index 4 is out of range for axis 1 of size 4 (shape [3, 4]); expected an integer in -4 … 3');
    expect(() => x.at(3)).toThrow('at: index 3 is out of range for axis 0 of size 3 (shape [3, 4]); expected an integer in -3 … 2');
    expect(() => at(x, 0.5)).toThrow('at: the index must be an integer, got 0.5');
    expect(() => at(tensor(1), 0)).toThrow('at: cannot index a scalar (shape [])');
    expect(() => select(x, 2, 0)).toThrow('select: axis 2 is out of range for a tensor of rank 2 (expected -2 … 1)');
    expect(() => narrow(x, 1, 3, 2)).toThrow('narrow: start 3 with length 2 does not fit in axis 1 of size 4 (shape [3, 4]); expected a length in 0 … 1');
    expect(() => narrow(x, 0, -4, 1)).toThrow('narrow: start -4 is out of range for axis 0 of size 3 (shape [3, 4]); expected -3 … 3');
    expect(() => slice(x, 0, 0, 2, 0)).toThrow('slice: step must be a positive integer, got 0');
  });
});

describe('indexSelect and gather', () => {
  it('pick rows (a batch) and per-row entries', () => {
    expect(indexSelect(x, 0, [2, 0, 2]).toArray()).toEqual([[9, 10, 11, 12], [1, 2, 3, 4], [9, 10, 11, 12]]);
    expect(indexSelect(x, 1, tensor([3, 0])).toArray()).toEqual([[4, 1], [8, 5], [12, 9]]);
    expect(indexSelect(x, 0, Int32Array.from([1])).shape).toEqual([1, 4]);
    expect(gather(x, 1, [[3], [0], [1]]).toArray()).toEqual([[4], [5], [10]]);
    expect(gather(x, 0, [[2, 1, 0, 0]]).toArray()).toEqual([[9, 6, 3, 4]]);
    expect(gather(x, 1, tensor([[0, 0], [1, 0]])).toArray()).toEqual([[1, 1], [6, 5]]);
  });
  it('gradients add up where a row or an entry is picked more than once', () => {
    const a = tensor([[1, 2], [3, 4]], { requiresGrad: true, dtype: 'float64' });
    indexSelect(a, 0, [1, 1, 0]).sum().backward();
    expect(a.grad!.toArray()).toEqual([[1, 1], [2, 2]]);
    a.zeroGrad();
    gather(a, 1, [[1, 1, 0], [0, 0, 0]]).sum().backward();
    expect(a.grad!.toArray()).toEqual([[1, 2], [3, 0]]);
    checkGrads((b) => indexSelect(b, 1, [2, 0, 2]), [[2, 3]]);
    checkGrads((b) => indexSelect(b, -1, [1, 0]), [[2, 3, 2]]);
    checkGrads((b) => gather(b, 0, [[1, 0, 1], [1, 1, 0]]), [[2, 3]]);
    checkGrads((b) => gather(b, 2, [[[1], [0]], [[0], [0]]]), [[2, 3, 2]]);
  });
  it('second derivatives', () => {
    expectGradgrad((b) => indexSelect(b, 0, [2, 0, 2]), [[3, 2]]);
    expectGradgrad((b) => gather(b, 1, [[2, 2], [0, 1]]), [[2, 3]]);
  });
  it('check the indices and shapes', () => {
    expect(() => indexSelect(x, 0, [0, 3])).toThrow('indexSelect: index 3 at position 1 is out of range for axis 0 of size 3 (shape [3, 4]); expected an integer in [0, 2]');
    expect(() => indexSelect(x, 0, tensor([[0]]))).toThrow('indexSelect: the index tensor must be 1-D, got shape [1, 1]');
    expect(() => gather(x, 1, [1, 2])).toThrow('gather: the index has shape [2] (rank 1) but the input has shape [3, 4] (rank 2); expected the same rank');
    expect(() => gather(x, 1, [[4]])).toThrow('gather: index 4 at flat position 0 is out of range for axis 1 of size 4 (shape [3, 4]); expected an integer in [0, 3]');
    expect(() => gather(x, 1, [[0], [0], [0], [0]])).toThrow("gather: the index has shape [4, 1], larger than the input's [3, 4] along axis 0");
  });
});

describe('cat and stack', () => {
  it('join along an axis, as torch.cat and torch.stack', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4], [5, 6]]);
    expect(cat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(cat([b, b], 1).toArray()).toEqual([[3, 4, 3, 4], [5, 6, 5, 6]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], -1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });
  it('gradients: each input gets its own part of g', () => {
    checkGrads((a, b) => cat([a, b], 0), [[1, 3], [2, 3]]);
    checkGrads((a, b, c) => cat([a, b, c], -1), [[2, 1, 2], [2, 1, 3], [2, 1, 1]]);
    checkGrads((a) => cat([a, a], 1), [[2, 2]]);
    checkGrads((a, b) => stack([a, b], 1), [[2, 3], [2, 3]]);
    checkGrads((a, b) => cat([a, b]), [[2], [3]], { constants: [0] });
  });
  it('second derivatives', () => {
    expectGradgrad((a, b) => cat([a, b], 1), [[2, 1], [2, 3]]);
    expectGradgrad((a, b) => stack([a, b]), [[3], [3]]);
  });
  it('name the shapes that do not fit', () => {
    expect(() => cat([zeros([2, 3]), zeros([2, 4])])).toThrow('cat: tensor 1 has shape [2, 4] but tensor 0 has shape [2, 3]; expected the same shape except along axis 0');
    expect(() => cat([])).toThrow('cat: expected a non-empty list of tensors, got an empty list');
    expect(() => cat([zeros([2]), 3 as never])).toThrow('cat: element 1 of the list is not a Tensor (got number)');
    expect(() => cat([tensor(1)])).toThrow('cat: cannot join scalars (shape [])');
    expect(() => stack([zeros([2]), zeros([3])])).toThrow('stack: tensor 1 has shape [3] but tensor 0 has shape [2]; expected the same shape');
    expect(() => stack([zeros([2])], 2)).toThrow('stack: axis 2 is out of range for a new axis of a tensor of shape [2] (expected -2 … 1)');
    expect(() => cat([zeros([2]), zeros([2], { dtype: 'float64' })])).toThrow("cat: tensor 1 is float64 but tensor 0 is float32; expected one dtype (convert with .to('float32'))");
  });
});

describe('unsqueeze, squeeze, flatten', () => {
  it('change only the shape', () => {
    expect(unsqueeze(x, 0).shape).toEqual([1, 3, 4]);
    expect(unsqueeze(x, -1).shape).toEqual([3, 4, 1]);
    expect(squeeze(zeros([1, 3, 1])).shape).toEqual([3]);
    expect(squeeze(zeros([1, 3, 1]), -1).shape).toEqual([1, 3]);
    expect(flatten(zeros([2, 3, 4])).shape).toEqual([24]);
    expect(flatten(zeros([2, 3, 4]), 1).shape).toEqual([2, 12]);
    expect(flatten(zeros([2, 3, 4, 5]), 1, 2).shape).toEqual([2, 12, 5]);
    expect(flatten(tensor(3)).shape).toEqual([1]);
    expect(flatten(x).toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
  it('gradients', () => {
    checkGrads((a) => unsqueeze(a, 1), [[2, 3]]);
    checkGrads((a) => squeeze(a), [[2, 1, 3]]);
    checkGrads((a) => flatten(a, 0, 1), [[2, 3, 2]]);
  });
  it('second derivatives', () => {
    expectGradgrad((a) => unsqueeze(a, 1), [[2, 3]]);
    expectGradgrad((a) => squeeze(a, 0), [[1, 3]]);
    expectGradgrad((a) => flatten(a), [[2, 3, 2]]);
    expectGradgrad((a) => a.view(-1, 2), [[2, 3]]);
  });
  it('check their axes', () => {
    expect(() => squeeze(x, 1)).toThrow('squeeze: axis 1 has length 4 (shape [3, 4]); only axes of length 1 can be removed');
    expect(() => unsqueeze(x, 3)).toThrow('unsqueeze: axis 3 is out of range for a new axis of a tensor of shape [3, 4] (expected -3 … 2)');
    expect(() => flatten(x, 1, 0)).toThrow('flatten: startAxis 1 comes after endAxis 0 (shape [3, 4])');
  });
});
