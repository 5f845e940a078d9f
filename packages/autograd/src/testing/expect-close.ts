// Comparing a tensor with reference values (PyTorch's, from fixtures/): the shape exactly, and every element to
// |got − want| ≤ tol·max(1, |want|), i.e. relative for values above 1 and absolute below. Throws an Error naming
// `what` and the first element that differs, so it works under any test runner.

import type { Shape } from '../kernels/index.ts';
import { shapeStr } from '../kernels/index.ts';
import type { Tensor } from '../tensor.ts';

export function expectClose(got: Tensor, want: { shape: Shape; data: ArrayLike<number> }, tol: number, what: string): void {
  if (shapeStr(got.shape) !== shapeStr(want.shape)) {
    throw new Error(`${what}: shape ${shapeStr(got.shape)}, PyTorch ${shapeStr(want.shape)}`);
  }
  for (let i = 0; i < want.data.length; i++) {
    const err = Math.abs(got.data[i] - want.data[i]);
    if (!(err <= tol * Math.max(1, Math.abs(want.data[i])))) {
      throw new Error(`${what}: at flat index ${i} got ${got.data[i]}, PyTorch ${want.data[i]} (|diff| ${err.toExponential(2)} > ${tol})`);
    }
  }
}
