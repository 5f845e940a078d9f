import * as k from '../kernels/index.ts';
import type { NestedNumbers } from '../creation.ts';
import { tensor } from '../creation.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';
import { scatterAdd } from './scatter-add.ts';

/** The index of gather: its values and shape, from a tensor (any dtype) or nested lists. */
interface Index {
  readonly data: ArrayLike<number>;
  readonly shape: k.Shape;
}

/**
 * Values picked along `axis` by an index of the same rank as `a`, as PyTorch's `torch.gather(a, axis, index)`:
 * out[i][j] = a[index[i][j]][j] for axis 0, a[i][index[i][j]] for axis 1, and so on; the output has the index's
 * shape, which may be smaller than `a`'s along every axis. Picking each row's label entry is
 * `gather(logits, 1, labels.reshape([-1, 1]))`. The gradient adds g back where each value came from.
 */
export function gather(a: Tensor, axis: number, index: Tensor | NestedNumbers): Tensor {
  const i = index instanceof Tensor ? index : tensor(index as NestedNumbers, { dtype: 'float64' });
  return gatherOp(a, axis, { data: i.data, shape: i.shape });
}

const gatherOp = defineOp('gather', (a: Tensor, axis: number, index: Index): OpResult => {
  checkTensor('gather', a);
  if (a.ndim === 0) throw new Error('gather: cannot gather from a scalar (shape []); expected a tensor with at least one axis');
  const ax = k.normalizeAxis('gather', axis, a.ndim);
  if (index.shape.length !== a.ndim) {
    throw new Error(
      `gather: the index has shape ${k.shapeStr(index.shape)} (rank ${index.shape.length}) but the input has shape ` +
        `${k.shapeStr(a.shape)} (rank ${a.ndim}); expected the same rank`,
    );
  }
  for (let d = 0; d < a.ndim; d++) {
    if (d !== ax && index.shape[d] > a.shape[d]) {
      throw new Error(
        `gather: the index has shape ${k.shapeStr(index.shape)}, larger than the input's ${k.shapeStr(a.shape)} along axis ${d}; ` +
          `expected index sizes ≤ input sizes on every axis but ${ax}`,
      );
    }
  }
  const n = a.shape[ax];
  for (let i = 0; i < index.data.length; i++) {
    const j = index.data[i];
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new Error(
        `gather: index ${j} at flat position ${i} is out of range for axis ${ax} of size ${n} (shape ${k.shapeStr(a.shape)}); ` +
          `expected an integer in [0, ${n - 1}]`,
      );
    }
  }
  const flat = k.gatherPositions(a.shape, ax, index.data, index.shape);
  return {
    data: k.take(a.data, flat, k.allocateUninitialized(a.dtype, flat.length)),
    shape: index.shape.slice(),
    // ∂L/∂a: each g added back where its value was picked from (repeats add up)
    backward(g) {
      return [scatterAdd(g, flat, a.shape)];
    },
  };
});
