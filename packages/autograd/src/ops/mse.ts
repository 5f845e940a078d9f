import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { checkTensor } from './operands.ts';
import { sub } from './sub.ts';

/** Mean squared error: (1/n) Σ_i (pred_i − target_i)², a scalar. The shapes must be equal (no broadcasting). */
export const mse = defineOp('mse', (pred: Tensor, target: Tensor): OpResult => {
  checkTensor('mse', pred, 'pred');
  checkTensor('mse', target, 'target');
  if (!k.sameShape(pred.shape, target.shape)) {
    throw new Error(
      `mse: pred is ${k.shapeStr(pred.shape)} but target is ${k.shapeStr(target.shape)}; expected identical shapes (mse does not broadcast)`,
    );
  }
  const n = pred.size;
  if (n === 0) throw new Error(`mse: tensors of shape ${k.shapeStr(pred.shape)} are empty; expected at least one element`);
  const data = k.allocate(pred.dtype, 1);
  data[0] = k.sumSquaredDiff(pred.data, target.data) / n;
  return {
    data,
    shape: [],
    // ∂L/∂pred = (2/n)(pred − target)·g, ∂L/∂target = −(2/n)(pred − target)·g
    backward(g) {
      const d = mul(sub(pred, target), mul(g, 2 / n));
      return [pred.requiresGrad ? d : null, target.requiresGrad ? neg(d) : null];
    },
  };
});
