import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { reshape } from './reshape.ts';
import { newAxis } from './squeeze.ts';
import { take } from './take.ts';

function checkList(op: string, tensors: unknown): readonly Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new Error(`${op}: expected a non-empty list of tensors, got ${Array.isArray(tensors) ? 'an empty list' : typeof tensors}`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`${op}: element ${i} of the list is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    if (t.dtype !== tensors[0].dtype) {
      const dtype = tensors[0].dtype;
      throw new Error(`${op}: tensor ${i} is ${t.dtype} but tensor 0 is ${dtype}; expected one dtype (convert with .to('${dtype}'))`);
    }
  });
  return tensors;
}

/**
 * Tensors joined along an existing axis, as `torch.cat(tensors, axis)`: all must have the same shape except along
 * that axis. Each input's gradient is its own part of g.
 */
export function cat(tensors: readonly Tensor[], axis: number = 0): Tensor {
  return catOp(axis, ...checkList('cat', tensors));
}

// the tensors are separate arguments (after the axis), so that the tape sees each of them as an input
const catOp = defineOp('cat', (axis: number, ...tensors: Tensor[]): OpResult => {
  const first = tensors[0];
  if (first.ndim === 0) throw new Error('cat: cannot join scalars (shape []); use stack, or reshape them to [1] first');
  const ax = k.normalizeAxis('cat', axis, first.ndim);
  let length = 0;
  tensors.forEach((t, i) => {
    const same = t.ndim === first.ndim && t.shape.every((d, j) => j === ax || d === first.shape[j]);
    if (!same) {
      throw new Error(
        `cat: tensor ${i} has shape ${k.shapeStr(t.shape)} but tensor 0 has shape ${k.shapeStr(first.shape)}; ` +
          `expected the same shape except along axis ${ax}`,
      );
    }
    length += t.shape[ax];
  });
  const shape = first.shape.slice();
  shape[ax] = length;
  const out = k.allocateUninitialized(first.dtype, k.sizeOf(shape));
  let offset = 0;
  // where each input lands in the output: its positions offset … offset + length along the axis
  const places = tensors.map((t) => {
    const index = k.axisPositions(shape, ax, k.arithmeticPositions(offset, t.shape[ax]));
    offset += t.shape[ax];
    k.put(t.data, index, out);
    return index;
  });
  return {
    data: out,
    shape,
    // ∂L/∂tensors[i] = the part of g where tensors[i] was put (the first argument is the axis: no gradient)
    backward(g) {
      return [null, ...tensors.map((t, i) => take(g, places[i], t.shape))];
    },
  };
});

/**
 * Tensors of one shape stacked along a new axis, as `torch.stack(tensors, axis)`: the result has shape
 * [..., tensors.length, ...] with the new axis at `axis` (−1 appends it).
 */
export function stack(tensors: readonly Tensor[], axis: number = 0): Tensor {
  const list = checkList('stack', tensors);
  const shape = list[0].shape;
  list.forEach((t, i) => {
    if (!k.sameShape(t.shape, shape)) {
      throw new Error(`stack: tensor ${i} has shape ${k.shapeStr(t.shape)} but tensor 0 has shape ${k.shapeStr(shape)}; expected the same shape`);
    }
  });
  const ax = newAxis('stack', axis, shape);
  const expanded = shape.slice();
  expanded.splice(ax, 0, 1);
  return cat(
    list.map((t) => reshape(t, expanded)),
    ax,
  );
}
