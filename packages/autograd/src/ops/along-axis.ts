import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { scatterAdd } from './scatter-add.ts';

// What select, at, narrow, slice and indexSelect share: they pick whole slices at some positions along one axis.
// The forward is one `take` through the index map of those positions, so the backward is its adjoint, `scatterAdd`
// (itself differentiable, its backward being `take` again): every order of derivative goes through the same pair.

/** The forward and backward of picking `positions` along axis `axis` (already normalised) of `a`, laid out in `shape`. */
export function pickAlongAxis(a: Tensor, axis: number, positions: ArrayLike<number>, shape: number[]): OpResult {
  const index = k.axisPositions(a.shape, axis, positions);
  return {
    data: k.take(a.data, index, k.allocateUninitialized(a.dtype, index.length)),
    shape,
    // ∂L/∂a: g added back where each element was picked from, 0 elsewhere (a position picked twice adds up)
    backward(g) {
      return [scatterAdd(g, index, a.shape)];
    },
  };
}

/** `shape` with axis `axis` given length `length` (or removed when `length` is null). */
export function withAxisLength(shape: k.Shape, axis: number, length: number | null): number[] {
  const out = shape.slice();
  if (length === null) out.splice(axis, 1);
  else out[axis] = length;
  return out;
}

/** Throws unless `x` is an integer; says which argument of which op it was. */
export function checkInteger(op: string, what: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) throw new Error(`${op}: ${what} must be an integer, got ${String(x)}`);
  return x;
}

/** A position along `axis` of `a`, negative ones counting from the end (Python style); throws when out of range. */
export function normalizePosition(op: string, a: Tensor, axis: number, index: unknown): number {
  const i = checkInteger(op, 'the index', index);
  const n = a.shape[axis];
  if (i < -n || i >= n) {
    throw new Error(
      `${op}: index ${i} is out of range for axis ${axis} of size ${n} (shape ${k.shapeStr(a.shape)}); ` +
        (n === 0 ? 'the axis is empty' : `expected an integer in ${-n} … ${n - 1}`),
    );
  }
  return i < 0 ? i + n : i;
}

/** Throws unless every entry of `positions` is an integer in [0, size of axis `axis` of a). */
export function checkPositions(op: string, a: Tensor, axis: number, positions: ArrayLike<number>): void {
  const n = a.shape[axis];
  for (let i = 0; i < positions.length; i++) {
    const j = positions[i];
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new Error(
        `${op}: index ${j} at position ${i} is out of range for axis ${axis} of size ${n} (shape ${k.shapeStr(a.shape)}); ` +
          `expected an integer in [0, ${n - 1}]`,
      );
    }
  }
}
