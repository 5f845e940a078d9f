import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';
import { take } from './take.ts';

/**
 * A zero tensor of `shape` with `values` added at flat (row-major) indices: out.flat[index[i]] += values.flat[i].
 * The adjoint of `take`; `max` routes its gradient through it.
 */
export const scatterAdd = defineOp('scatterAdd', (values: Tensor, index: ArrayLike<number>, shape: Shape): OpResult => {
  checkTensor('scatterAdd', values, 'values');
  k.checkShape('scatterAdd', shape);
  if (values.size !== index.length) {
    throw new Error(`scatterAdd: ${values.size} values ${k.shapeStr(values.shape)} but ${index.length} indices; expected one index per value`);
  }
  const size = k.sizeOf(shape);
  k.checkIndex('scatterAdd', index, size);
  const idx = Int32Array.from(index);
  return {
    data: k.scatterAdd(values.data, idx, k.allocate(values.dtype, size)),
    shape: [...shape],
    // ∂L/∂values_i = g at index[i]
    backward(g) {
      return [take(g, idx, values.shape)];
    },
  };
});
