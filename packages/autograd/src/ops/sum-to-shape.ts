import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { broadcastTo } from './broadcast-to.ts';

/**
 * Sums x back down to `shape`, the shape it was broadcast from: the gradient of every broadcasting op goes
 * through here and nowhere else. Returns x itself when the shapes already agree.
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  return k.sameShape(x.shape, shape) ? x : sumToShapeOp(x, shape);
}

const sumToShapeOp = defineOp('sumToShape', (x: Tensor, shape: Shape): OpResult => {
  k.broadcastShapes('sumToShape', shape, x.shape);
  return {
    data: k.sumToShape(x.data, x.shape, shape),
    shape: shape.slice(), // the op's own array: the caller may reuse `shape`
    // the adjoint of a sum over broadcast axes is a broadcast back along them
    backward(g) {
      return [broadcastTo(g, x.shape)];
    },
  };
});
