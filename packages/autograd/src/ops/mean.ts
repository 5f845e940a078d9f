import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './mul.ts';
import { reduction, unreduce } from './sum.ts';

/** Mean over `axis` (one axis, a list, or every axis when omitted/null); `keepDims` keeps reduced axes as size 1. */
export const mean = defineOp('mean', (a: Tensor, axis?: number | readonly number[] | null, keepDims: boolean = false): OpResult => {
  const { axes, kept, shape } = reduction('mean', a, axis, keepDims);
  let n = 1;
  for (const ax of axes) n *= a.shape[ax];
  if (n === 0) {
    throw new Error(`mean: cannot average over zero elements (shape ${k.shapeStr(a.shape)}, axes [${axes.join(', ')}])`);
  }
  const sums = k.sumAxes(a.data, a.shape, axes, k.allocate(a.dtype, k.sizeOf(shape)));
  return {
    data: k.scale(sums, 1 / n, sums),
    shape,
    // ∂L/∂a_i = g / n of the slice that a_i was averaged into (n elements per slice)
    backward(g) {
      return [unreduce(mul(g, 1 / n), kept, a.shape)];
    },
  };
});
