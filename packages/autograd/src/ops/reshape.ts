import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';

/** `shape` with its one −1 (if any) resolved so that it holds `size` elements; throws otherwise. */
function resolveShape(from: Shape, shape: Shape): number[] {
  const size = k.sizeOf(from);
  const what = `cannot reshape ${k.shapeStr(from)} (${size} elements) to ${k.shapeStr(shape)}`;
  if (!Array.isArray(shape)) throw new Error(`reshape: expected the new shape as a list of numbers, got ${typeof shape}`);
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new Error(`reshape: ${what}: only one dimension may be -1`);
  for (const d of shape) {
    if (d !== -1 && (!Number.isInteger(d) || d < 0)) {
      throw new Error(`reshape: ${what}: dimensions must be non-negative integers or a single -1, got ${d}`);
    }
  }
  const known = k.sizeOf(shape.filter((d) => d !== -1));
  if (free === 1) {
    if (known === 0 || size % known !== 0) {
      throw new Error(`reshape: ${what}: ${size} elements cannot be split into rows of ${known}`);
    }
    return shape.map((d) => (d === -1 ? size / known : d));
  }
  if (known !== size) throw new Error(`reshape: ${what}: the new shape has ${known} elements; expected ${size}`);
  return [...shape];
}

/** The same elements (row-major order) in a new shape; one dimension may be −1 and is then inferred. A copy. */
export const reshape = defineOp('reshape', (a: Tensor, shape: Shape): OpResult => {
  checkTensor('reshape', a);
  const resolved = resolveShape(a.shape, shape);
  return {
    data: a.data.slice(),
    shape: resolved,
    // ∂L/∂a = g in a's shape
    backward(g) {
      return [reshape(g, a.shape)];
    },
  };
});
