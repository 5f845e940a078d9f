import type { FloatArray } from './dtype.ts';
import { firstNonFiniteIn } from './reference.ts';
import type { Shape } from './shape.ts';
import { sameShape } from './shape.ts';
import { broadcastStrides, walk2 } from './strided.ts';
import { kernels } from './table.ts';

/** A binary kernel: out (outShape) = f(a, b), with a and b broadcast to outShape. */
export type BinaryKernel = (a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape) => FloatArray;

// How two operands lie against the output. The common layouts get plain loops of their own (a bias row added to
// every row is ROW_B); anything else takes the general strided walk.
const SAME = 0;
const SCALAR_B = 1;
const SCALAR_A = 2;
const ROW_B = 3;
const ROW_A = 4;
const GENERAL = 5;

/** True when `suffix` equals the trailing axes of `shape`, so it repeats every `sizeOf(suffix)` elements. */
function isTrailing(suffix: Shape, shape: Shape): boolean {
  if (suffix.length > shape.length) return false;
  const offset = shape.length - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (suffix[i] !== shape[offset + i]) return false;
  return true;
}

function layoutOf(a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, outShape: Shape): number {
  const aFull = sameShape(aShape, outShape);
  const bFull = sameShape(bShape, outShape);
  if (aFull && bFull) return SAME;
  if (aFull && b.length === 1) return SCALAR_B;
  if (bFull && a.length === 1) return SCALAR_A;
  if (aFull && b.length > 0 && isTrailing(stripLeadingOnes(bShape), outShape)) return ROW_B;
  if (bFull && a.length > 0 && isTrailing(stripLeadingOnes(aShape), outShape)) return ROW_A;
  return GENERAL;
}

function stripLeadingOnes(shape: Shape): Shape {
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  return i === 0 ? shape : shape.slice(i);
}

function general(
  a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape, f: (x: number, y: number) => number,
): FloatArray {
  let o = 0;
  walk2(outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape), (ia, ib) => {
    out[o++] = f(a[ia], b[ib]);
  });
  return out;
}

// Each op spells its loops out rather than calling a shared loop with a callback: V8 then compiles every loop for
// one operation, which is several times faster than a call per element through a shared, megamorphic callback.

export const add: BinaryKernel = (a, aShape, b, bShape, out, outShape) => {
  const n = out.length;
  switch (layoutOf(a, aShape, b, bShape, outShape)) {
    case SAME:
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return out;
    case SCALAR_B: {
      const y = b[0];
      for (let i = 0; i < n; i++) out[i] = a[i] + y;
      return out;
    }
    case SCALAR_A: {
      const x = a[0];
      for (let i = 0; i < n; i++) out[i] = x + b[i];
      return out;
    }
    case ROW_B: // a bias row: the addRow kernel (large ones in the wasm module)
      return kernels.addRow(a, b, out, n / b.length, b.length);
    case ROW_A: {
      const c = a.length;
      for (let o = 0; o < n; o += c) for (let j = 0; j < c; j++) out[o + j] = a[j] + b[o + j];
      return out;
    }
    default:
      return general(a, aShape, b, bShape, out, outShape, (x, y) => x + y);
  }
};

export const sub: BinaryKernel = (a, aShape, b, bShape, out, outShape) => {
  const n = out.length;
  switch (layoutOf(a, aShape, b, bShape, outShape)) {
    case SAME:
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return out;
    case SCALAR_B: {
      const y = b[0];
      for (let i = 0; i < n; i++) out[i] = a[i] - y;
      return out;
    }
    case SCALAR_A: {
      const x = a[0];
      for (let i = 0; i < n; i++) out[i] = x - b[i];
      return out;
    }
    case ROW_B: {
      const c = b.length;
      for (let o = 0; o < n; o += c) for (let j = 0; j < c; j++) out[o + j] = a[o + j] - b[j];
      return out;
    }
    case ROW_A: {
      const c = a.length;
      for (let o = 0; o < n; o += c) for (let j = 0; j < c; j++) out[o + j] = a[j] - b[o + j];
      return out;
    }
    default:
      return general(a, aShape, b, bShape, out, outShape, (x, y) => x - y);
  }
};

export const mul: BinaryKernel = (a, aShape, b, bShape, out, outShape) => {
  const n = out.length;
  switch (layoutOf(a, aShape, b, bShape, outShape)) {
    case SAME:
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return out;
    case SCALAR_B: {
      const y = b[0];
      for (let i = 0; i < n; i++) out[i] = a[i] * y;
      return out;
    }
    case SCALAR_A: {
      const x = a[0];
      for (let i = 0; i < n; i++) out[i] = x * b[i];
      return out;
    }
    case ROW_B: {
      const c = b.length;
      for (let o = 0; o < n; o += c) for (let j = 0; j < c; j++) out[o + j] = a[o + j] * b[j];
      return out;
    }
    case ROW_A: {
      const c = a.length;
      for (let o = 0; o < n; o += c) for (let j = 0; j < c; j++) out[o + j] = a[j] * b[o + j];
      return out;
    }
    default:
      return general(a, aShape, b, bShape, out, outShape, (x, y) => x * y);
  }
};

export const div: BinaryKernel = (a, aShape, b, bShape, out, outShape) => {
  const n = out.length;
  switch (layoutOf(a, aShape, b, bShape, outShape)) {
    case SAME:
      for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
      return out;
    case SCALAR_B: {
      const y = b[0];
      for (let i = 0; i < n; i++) out[i] = a[i] / y;
      return out;
    }
    case SCALAR_A: {
      const x = a[0];
      for (let i = 0; i < n; i++) out[i] = x / b[i];
      return out;
    }
    case ROW_B: {
      const c = b.length;
      for (let o = 0; o < n; o += c) for (let j = 0; j < c; j++) out[o + j] = a[o + j] / b[j];
      return out;
    }
    case ROW_A: {
      const c = a.length;
      for (let o = 0; o < n; o += c) for (let j = 0; j < c; j++) out[o + j] = a[j] / b[o + j];
      return out;
    }
    default:
      return general(a, aShape, b, bShape, out, outShape, (x, y) => x / y);
  }
};

/** out = a^b with broadcasting (rare in hot loops, so one general path). */
export const pow: BinaryKernel = (a, aShape, b, bShape, out, outShape) => general(a, aShape, b, bShape, out, outShape, Math.pow);

/** A unary kernel: out = f(x) element by element (out may be x). */
export type UnaryKernel = (x: FloatArray, out: FloatArray) => FloatArray;

export const neg: UnaryKernel = (x, out) => {
  for (let i = 0; i < x.length; i++) out[i] = -x[i];
  return out;
};

export const exp: UnaryKernel = (x, out) => {
  for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]);
  return out;
};

export const log: UnaryKernel = (x, out) => {
  for (let i = 0; i < x.length; i++) out[i] = Math.log(x[i]);
  return out;
};

export const sqrt: UnaryKernel = (x, out) => {
  for (let i = 0; i < x.length; i++) out[i] = Math.sqrt(x[i]);
  return out;
};

/** out = x · s */
export function scale(x: FloatArray, s: number, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
  return out;
}

/** out = x ⊙ y (same length): a row of the kernel table (table.ts) */
export const hadamard = kernels.hadamard;

/** out = x − y (same length) */
export function subtract(x: FloatArray, y: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] - y[i];
  return out;
}

/** out (rows × cols) = x + bias, the bias row added to every row: z = a W + b (a row of table.ts) */
export const addRow = kernels.addRow;

/** y += a · x (same length): gradient accumulation and SGD updates (a row of table.ts) */
export const axpy = kernels.axpy;

/**
 * Whether x[0..n) (n defaults to x.length) holds no NaN and no ±Infinity: a row of table.ts, the scan of
 * reference.ts or, on large buffers, the wasm one.
 */
export const allFinite = kernels.allFinite;

/** Index of the first NaN or ±Infinity, or −1 when all are finite. */
export function firstNonFinite(x: FloatArray): number {
  return allFinite(x) ? -1 : firstNonFiniteIn(x, x.length);
}
