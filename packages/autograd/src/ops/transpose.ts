import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';

/** The transpose of a 2-D tensor: out[j][i] = a[i][j]. (Inside matmuls prefer matmulNT/matmulTN: no copy.) */
export const transpose = defineOp('transpose', (a: Tensor): OpResult => {
  checkTensor('transpose', a);
  if (a.ndim !== 2) {
    throw new Error(`transpose: expected a 2-D tensor, got shape ${k.shapeStr(a.shape)} (rank ${a.ndim}); reshape it first`);
  }
  const [rows, cols] = a.shape;
  return {
    data: k.transpose2d(a.data, k.allocateUninitialized(a.dtype, rows * cols), rows, cols),
    shape: [cols, rows],
    // ∂L/∂a = gᵀ
    backward(g) {
      return [transpose(g)];
    },
  };
});
