import type { FloatArray } from './dtype.ts';
import type { Shape } from './shape.ts';
import { sameShape } from './shape.ts';
import { broadcastStrides, walk2 } from './strided.ts';

/** A binary kernel: out (outShape) = f(a, b), with a and b broadcast to outShape. */
export type BinaryKernel = (a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape) => FloatArray;

function binary(f: (x: number, y: number) => number): BinaryKernel {
  return (a, aShape, b, bShape, out, outShape) => {
    const n = out.length;
    if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
      for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    } else if (b.length === 1 && sameShape(aShape, outShape)) {
      const y = b[0];
      for (let i = 0; i < n; i++) out[i] = f(a[i], y);
    } else if (a.length === 1 && sameShape(bShape, outShape)) {
      const x = a[0];
      for (let i = 0; i < n; i++) out[i] = f(x, b[i]);
    } else {
      const sa = broadcastStrides(aShape, outShape);
      const sb = broadcastStrides(bShape, outShape);
      let o = 0;
      walk2(outShape, sa, sb, (ia, ib) => {
        out[o++] = f(a[ia], b[ib]);
      });
    }
    return out;
  };
}

export const add = binary((x, y) => x + y);
export const sub = binary((x, y) => x - y);
export const mul = binary((x, y) => x * y);
export const div = binary((x, y) => x / y);
export const pow = binary((x, y) => Math.pow(x, y));

/** A unary kernel: out = f(x) element by element (out may be x). */
export type UnaryKernel = (x: FloatArray, out: FloatArray) => FloatArray;

function unary(f: (x: number) => number): UnaryKernel {
  return (x, out) => {
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
    return out;
  };
}

export const neg = unary((x) => -x);
export const exp = unary(Math.exp);
export const log = unary(Math.log);
export const sqrt = unary(Math.sqrt);

/** out = x · s */
export function scale(x: FloatArray, s: number, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
  return out;
}

/** out = x ⊙ y (same length) */
export function hadamard(x: FloatArray, y: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * y[i];
  return out;
}

/** out = x − y (same length) */
export function subtract(x: FloatArray, y: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] - y[i];
  return out;
}

/** out (rows × cols) = x + bias, the bias row added to every row: z = a W + b */
export function addRow(x: FloatArray, bias: FloatArray, out: FloatArray, rows: number, cols: number): FloatArray {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j] + bias[j];
  }
  return out;
}

/** y += a · x (same length): gradient accumulation and SGD updates */
export function axpy(a: number, x: FloatArray, y: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
  return y;
}

/** Index of the first NaN or ±Infinity, or −1 when all are finite. */
export function firstNonFinite(x: FloatArray): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}
