import type { DType } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';

/** `a` converted to `dtype` (float64 → float32 rounds to nearest). Returns `a` itself when it already has that dtype. */
export function cast(a: Tensor, dtype: DType): Tensor {
  checkTensor('cast', a);
  k.checkDType('cast', dtype);
  return a.dtype === dtype ? a : castOp(a, dtype);
}

const castOp = defineOp('cast', (a: Tensor, dtype: DType): OpResult => {
  const data = k.allocate(dtype, a.size);
  data.set(a.data);
  return {
    data,
    shape: a.shape,
    // ∂L/∂a = g, cast back to a's dtype
    backward(g) {
      return [cast(g, a.dtype)];
    },
  };
});
