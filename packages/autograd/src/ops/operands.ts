import type { BinaryKernel, DType, FloatArray, UnaryKernel } from '../kernels/index.ts';
import { allocateUninitialized, broadcastShapes, sameShape, shapeStr, sizeOf } from '../kernels/index.ts';
import { Tensor } from '../tensor.ts';
import type { TensorLike } from '../tensor.ts';

/** A plain number as a scalar tensor of `dtype` (it never requires grad). */
export function scalar(value: number, dtype: DType): Tensor {
  return Tensor.full([], value, dtype);
}

/** Both operands of a binary op as tensors: a number becomes a scalar of the other operand's dtype. */
export function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b];
  if (a instanceof Tensor) return [a, scalar(checkNumber(op, b), a.dtype)];
  if (b instanceof Tensor) return [scalar(checkNumber(op, a), b.dtype), b];
  return [scalar(checkNumber(op, a), 'float32'), scalar(checkNumber(op, b), 'float32')];
}

function checkNumber(op: string, x: unknown): number {
  if (typeof x !== 'number') throw new Error(`${op}: expected a Tensor or a number, got ${typeof x}`);
  return x;
}

/** Throws unless `x` is a Tensor. */
export function checkTensor(op: string, x: unknown, name = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}

/** The shared forward of a broadcasting binary op: both operands as tensors, the broadcast shape, out = f(a, b). */
export function binaryForward(
  op: string,
  kernel: BinaryKernel,
  a: TensorLike,
  b: TensorLike,
): { x: Tensor; y: Tensor; shape: number[]; data: FloatArray } {
  const [x, y] = operands(op, a, b);
  const shape = broadcastShapes(op, x.shape, y.shape);
  return { x, y, shape, data: kernel(x.data, x.shape, y.data, y.shape, allocateUninitialized(x.dtype, sizeOf(shape)), shape) };
}

/** The shared forward of an element-wise unary op: out = f(x) in a fresh buffer of x's dtype. */
export function unaryForward(op: string, kernel: UnaryKernel, x: unknown): { x: Tensor; data: FloatArray } {
  const t = checkTensor(op, x);
  return { x: t, data: kernel(t.data, allocateUninitialized(t.dtype, t.size)) };
}

/** Throws unless the tensors `a` and `b` have the same shape (for ops that do not broadcast). */
export function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  checkTensor(op, a, 'first input');
  checkTensor(op, b, 'second input');
  if (!sameShape(a.shape, b.shape)) {
    throw new Error(`${op}: inputs are ${shapeStr(a.shape)} and ${shapeStr(b.shape)}; expected the same shape`);
  }
}
