import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { broadcastTo } from './broadcast-to.ts';
import { checkTensor } from './operands.ts';
import { reshape } from './reshape.ts';

/** Axes to reduce (sorted, distinct), the output shape with reduced axes kept as 1, and the output shape. */
export function reduction(
  op: string,
  a: Tensor,
  axis: number | readonly number[] | null | undefined,
  keepDims: boolean,
): { axes: number[]; kept: number[]; shape: number[] } {
  checkTensor(op, a);
  if (typeof keepDims !== 'boolean') throw new Error(`${op}: keepDims must be a boolean, got ${typeof keepDims}`);
  const axes = k.normalizeAxes(op, axis, a.ndim);
  const kept = k.reducedShape(a.shape, axes, true);
  return { axes, kept, shape: keepDims ? kept : k.reducedShape(a.shape, axes, false) };
}

/** Spreads g (the gradient of a reduction to `kept`, with or without the kept 1s) back over `shape`. */
export function unreduce(g: Tensor, kept: Shape, shape: Shape): Tensor {
  return broadcastTo(k.sameShape(g.shape, kept) ? g : reshape(g, kept), shape);
}

/**
 * Sum over `axis` (one axis, a list, or every axis when omitted/null); `keepDims` keeps reduced axes as size 1.
 */
export const sum = defineOp('sum', (a: Tensor, axis?: number | readonly number[] | null, keepDims: boolean = false): OpResult => {
  const { axes, kept, shape } = reduction('sum', a, axis, keepDims);
  return {
    data: k.sumAxes(a.data, a.shape, axes, k.allocate(a.dtype, k.sizeOf(shape))),
    shape,
    // ∂L/∂a_i = g of the slice that a_i was summed into
    backward(g) {
      return [unreduce(g, kept, a.shape)];
    },
  };
});
