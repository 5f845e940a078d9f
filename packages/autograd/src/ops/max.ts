import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { scatterAdd } from './scatter-add.ts';
import { reduction } from './sum.ts';

/**
 * Maximum over `axis` (one axis, a list, or every axis when omitted/null); `keepDims` keeps reduced axes as size 1.
 * The gradient goes to ONE element per slice: the first maximal one in row-major order (an argmax scatter). On a
 * tie the other maximal elements get 0 — a valid subgradient, and what `torch.max(x, dim)` does; note that
 * `torch.amax`/`torch.max(x)` split it evenly instead. A NaN in a slice makes its maximum NaN, and gets the gradient.
 */
export const max = defineOp('max', (a: Tensor, axis?: number | readonly number[] | null, keepDims: boolean = false): OpResult => {
  const { axes, shape } = reduction('max', a, axis, keepDims);
  const size = k.sizeOf(shape);
  if (size > 0 && axes.some((ax) => a.shape[ax] === 0)) {
    throw new Error(`max: cannot take the maximum over an empty axis (shape ${k.shapeStr(a.shape)}, axes [${axes.join(', ')}])`);
  }
  const argmax = new Int32Array(size);
  return {
    data: k.maxAxes(a.data, a.shape, axes, k.allocate(a.dtype, size), argmax),
    shape,
    // ∂L/∂a = g scattered to each slice's argmax, 0 elsewhere
    backward(g) {
      return [scatterAdd(g, argmax, a.shape)];
    },
  };
});
