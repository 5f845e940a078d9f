import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { scatterAdd } from './scatter-add.ts';
import { reduction } from './sum.ts';

/**
 * Minimum over `axis` (one axis, a list, or every axis when omitted/null); `keepDims` keeps reduced axes as size 1.
 * The mirror of `max`: the gradient goes to the first minimal element of each slice (row-major order), as
 * `torch.min(x, dim)` does; a NaN in a slice makes its minimum NaN, and gets the gradient.
 */
export const min = defineOp('min', (a: Tensor, axis?: number | readonly number[] | null, keepDims: boolean = false): OpResult => {
  const { axes, shape } = reduction('min', a, axis, keepDims);
  const size = k.sizeOf(shape);
  if (size > 0 && axes.some((ax) => a.shape[ax] === 0)) {
    throw new Error(`min: cannot take the minimum over an empty axis (shape ${k.shapeStr(a.shape)}, axes [${axes.join(', ')}])`);
  }
  const argmin = new Int32Array(size);
  return {
    data: k.minAxes(a.data, a.shape, axes, k.allocate(a.dtype, size), argmin),
    shape,
    // ∂L/∂a = g scattered to each slice's argmin, 0 elsewhere
    backward(g) {
      return [scatterAdd(g, argmin, a.shape)];
    },
  };
});
