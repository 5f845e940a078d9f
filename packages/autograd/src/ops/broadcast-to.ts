import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { sumToShape } from './sum-to-shape.ts';

/** x repeated along axes of size 1 (and new leading axes) to `shape`, NumPy-style. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  return k.sameShape(x.shape, shape) ? x : broadcastToOp(x, shape);
}

const broadcastToOp = defineOp('broadcastTo', (x: Tensor, shape: Shape): OpResult => {
  const target = k.broadcastShapes('broadcastTo', x.shape, shape);
  if (!k.sameShape(target, shape)) {
    throw new Error(`broadcastTo: cannot broadcast ${k.shapeStr(x.shape)} to ${k.shapeStr(shape)}`);
  }
  const zeros = k.allocate(x.dtype, k.sizeOf(shape));
  return {
    data: k.add(x.data, x.shape, zeros, shape, k.allocate(x.dtype, zeros.length), shape),
    shape: target, // equal to `shape`, and the op's own array (the caller may reuse `shape`)
    // ∂L/∂x sums the gradient over every copy
    backward(g) {
      return [sumToShape(g, x.shape)];
    },
  };
});
