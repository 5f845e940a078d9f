import { describe, expect, it } from 'vitest';
import type { BinaryKernel, DType, FloatArray, UnaryKernel } from './index.ts';
import {
  add,
  allocate,
  allocateUninitialized,
  crossEntropyIndicesGrad,
  div,
  DTYPES,
  exp,
  leakyRelu,
  log,
  logSoftmax,
  mul,
  neg,
  pow,
  relu,
  sigmoid,
  sigmoidGradFromOutput,
  softmax,
  sqrt,
  stepGrad,
  sub,
  tanh,
  tanhGradFromOutput,
  transpose2d,
} from './index.ts';
import { WASM_ELEMENTWISE_MIN } from './internal.ts';

// The ops hand these kernels an output from allocateUninitialized, so each must write every element it is given.
// Fresh memory from the system is usually zero, which would hide a skipped element; here every output starts as
// NaN instead, and must come back without one (all inputs are finite). Sizes on both sides of
// WASM_ELEMENTWISE_MIN, so the wasm element-wise kernels (where they exist) are held to it too.

describe('allocateUninitialized', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: n elements of the dtype, over an ArrayBuffer of their own`, () => {
      const bytesPer = dtype === 'float64' ? 8 : 4;
      for (const n of [0, 1, 100, 1023, 1024, 5000, 1 << 16]) {
        const x = allocateUninitialized(dtype, n);
        expect(x).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
        expect(x.length).toBe(n);
        expect(x.byteOffset).toBe(0);
        expect(x.buffer.byteLength).toBe(n * bytesPer);
      }
    });
  }
});

const filled = (dtype: DType, n: number, seed: number): FloatArray => {
  const x = allocate(dtype, n);
  for (let i = 0; i < n; i++) x[i] = 0.25 + ((i * 37 + seed * 11) % 17) / 8;
  return x;
};
const nanOut = (dtype: DType, n: number): FloatArray => allocate(dtype, n).fill(NaN);
const firstNaN = (x: FloatArray): number => x.findIndex((v) => Number.isNaN(v));

/** Each unary kernel, and whether its inputs may be negative (then half of them are, so a kernel that writes only one side is caught). */
const UNARY: [string, UnaryKernel, boolean][] = [
  ['neg', neg, true], ['exp', exp, true], ['log', log, false], ['sqrt', sqrt, false],
  ['relu', relu.f, true], ['sigmoid', sigmoid.f, true], ['tanh', tanh.f, true], ['leakyRelu', leakyRelu.f, true],
];
const signed = (x: FloatArray): FloatArray => x.map((v, i) => (i % 2 === 0 ? v : -v));
const BINARY: [string, BinaryKernel][] = [['add', add], ['sub', sub], ['mul', mul], ['div', div], ['pow', pow]];
const SHAPES: [number[], number[]][] = [
  [[64, 128], [64, 128]],
  [[64, 128], [128]],
  [[128], [64, 128]],
  [[64, 128], []],
  [[64, 1], [1, 128]],
  [[3, 5], [5]],
];

describe('kernels write every element of their output', () => {
  for (const dtype of DTYPES) {
    for (const n of [15, WASM_ELEMENTWISE_MIN * 2]) {
      for (const [name, f, mixed] of UNARY) {
        it(`${dtype} ${name}, ${n} elements`, () => {
          const x = mixed ? signed(filled(dtype, n, 1)) : filled(dtype, n, 1);
          expect(firstNaN(f(x, nanOut(dtype, n)))).toBe(-1);
        });
      }
      it(`${dtype} stepGrad, sigmoidGradFromOutput, tanhGradFromOutput, ${n} elements`, () => {
        const g = filled(dtype, n, 2);
        const z = signed(filled(dtype, n, 3)); // both sides of the step
        expect(firstNaN(stepGrad(g, z, 0, nanOut(dtype, n)))).toBe(-1);
        expect(firstNaN(sigmoidGradFromOutput(g, filled(dtype, n, 4).map((v) => v / 4), nanOut(dtype, n)))).toBe(-1);
        expect(firstNaN(tanhGradFromOutput(g, filled(dtype, n, 5).map((v) => v / 4), nanOut(dtype, n)))).toBe(-1);
      });
    }
    for (const [name, f] of BINARY) {
      it(`${dtype} ${name}, every broadcast layout`, () => {
        for (const [aShape, bShape] of SHAPES) {
          const outShape = aShape.length >= bShape.length ? (aShape[1] === 1 ? [aShape[0], bShape[1]] : aShape) : bShape;
          const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
          const out = f(filled(dtype, size(aShape), 6), aShape, filled(dtype, size(bShape), 7), bShape, nanOut(dtype, size(outShape)), outShape);
          expect(firstNaN(out), `${name} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`).toBe(-1);
        }
      });
    }
    it(`${dtype} softmax, logSoftmax (both axes), crossEntropyIndicesGrad, transpose2d`, () => {
      const [rows, cols] = [40, 130];
      const z = filled(dtype, rows * cols, 8);
      for (const axis of [0, 1]) {
        expect(firstNaN(softmax(z, [rows, cols], axis, nanOut(dtype, rows * cols)))).toBe(-1);
        expect(firstNaN(logSoftmax(z, [rows, cols], axis, nanOut(dtype, rows * cols)))).toBe(-1);
      }
      const labels = Int32Array.from({ length: rows }, (_, r) => (r * 7) % cols);
      expect(firstNaN(crossEntropyIndicesGrad(z, labels, rows, cols, 1 / rows, nanOut(dtype, rows * cols)))).toBe(-1);
      expect(firstNaN(transpose2d(z, nanOut(dtype, rows * cols), rows, cols))).toBe(-1);
    });
  }
});
