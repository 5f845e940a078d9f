import * as k from '../kernels/index.ts';
import { Tensor } from '../tensor.ts';
import { reduction } from './sum.ts';

// Indices of extrema. Integer-valued and piecewise constant, so they take no gradient and are not recorded (as in
// PyTorch, where they are int64). They come back as a tensor of the input's dtype holding whole numbers, exact up
// to 2²⁴ in float32: `logits.argmax(1).eq(labels)` compares predictions with labels.

function argExtremum(op: 'argmax' | 'argmin', a: Tensor, axis: number | null | undefined, keepDims: boolean): Tensor {
  const extremum = op === 'argmax' ? 'maximum' : 'minimum';
  if (axis !== undefined && axis !== null && typeof axis !== 'number') {
    throw new Error(`${op}: axis must be one axis (a number) or null for all, got ${k.formatValue(axis)}`);
  }
  const { axes, shape } = reduction(op, a, axis, keepDims);
  const size = k.sizeOf(shape);
  if (a.size === 0) throw new Error(`${op}: the tensor ${k.shapeStr(a.shape)} is empty; there is no ${extremum}`);
  if (size > 0 && axes.some((ax) => a.shape[ax] === 0)) {
    throw new Error(`${op}: cannot take the ${extremum} over an empty axis (shape ${k.shapeStr(a.shape)}, axis ${axes[0]})`);
  }
  const flat = new Int32Array(size);
  const scratch = k.allocate(a.dtype, size);
  if (op === 'argmax') k.maxAxes(a.data, a.shape, axes, scratch, flat);
  else k.minAxes(a.data, a.shape, axes, scratch, flat);
  // over every axis the flat index is the answer (as in PyTorch); over one axis, the position along it
  const out = axis === undefined || axis === null ? Float64Array.from(flat) : k.positionsAlongAxis(flat, a.shape, axes[0], scratch);
  const data = k.allocate(a.dtype, size);
  data.set(out);
  return new Tensor(data, shape);
}

/**
 * The index of the maximum along `axis` (the first one on a tie), as `torch.argmax`; over all elements (the flat
 * row-major index) when `axis` is omitted or null. No gradient: see above.
 */
export function argmax(a: Tensor, axis?: number | null, keepDims: boolean = false): Tensor {
  return argExtremum('argmax', a, axis, keepDims);
}

/** The index of the minimum along `axis` (the first one on a tie), as `torch.argmin`; see argmax. */
export function argmin(a: Tensor, axis?: number | null, keepDims: boolean = false): Tensor {
  return argExtremum('argmin', a, axis, keepDims);
}
