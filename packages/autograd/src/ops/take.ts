import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';
import { scatterAdd } from './scatter-add.ts';

/**
 * Elements of `a` picked by flat (row-major) indices, laid out in `shape`: out.flat[i] = a.flat[index[i]], like
 * `numpy.take` without an axis. `shape` defaults to `[index.length]`.
 */
export const take = defineOp('take', (a: Tensor, index: ArrayLike<number>, shape?: Shape): OpResult => {
  checkTensor('take', a);
  const outShape = shape === undefined ? [index.length] : shape.slice(); // the op's own array: the caller may reuse `shape`
  k.checkShape('take', outShape);
  if (k.sizeOf(outShape) !== index.length) {
    throw new Error(`take: shape ${k.shapeStr(outShape)} holds ${k.sizeOf(outShape)} elements but ${index.length} indices were given`);
  }
  k.checkIndex('take', index, a.size);
  const idx = Int32Array.from(index);
  return {
    data: k.take(a.data, idx, k.allocate(a.dtype, idx.length)),
    shape: outShape,
    // ∂L/∂a: each g_i added back at index[i] (repeated indices add up)
    backward(g) {
      return [scatterAdd(g, idx, a.shape)];
    },
  };
});
