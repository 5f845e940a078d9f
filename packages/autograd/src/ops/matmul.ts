import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { checkTensor } from './operands.ts';

// The three matrix products. Each one's backward is written with the other two, so no transpose is ever
// materialised and every rule is itself differentiable.

function check2d(op: string, a: Tensor, b: Tensor): void {
  checkTensor(op, a, 'a');
  checkTensor(op, b, 'b');
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new Error(`${op}: expected 2-D tensors, got a ${k.shapeStr(a.shape)} and b ${k.shapeStr(b.shape)}`);
  }
}

function checkInner(op: string, a: Tensor, b: Tensor, ka: number, kb: number): void {
  if (ka !== kb) {
    throw new Error(`${op}: inner dimensions differ: a is ${k.shapeStr(a.shape)}, b is ${k.shapeStr(b.shape)} (${ka} ≠ ${kb})`);
  }
}

/** Matrix product of 2-D tensors: out (m×n) = a (m×k) · b (k×n). */
export const matmul = defineOp('matmul', (a: Tensor, b: Tensor): OpResult => {
  check2d('matmul', a, b);
  const [m, ka] = a.shape;
  const [kb, n] = b.shape;
  checkInner('matmul', a, b, ka, kb);
  return {
    data: k.matmul(a.data, b.data, k.allocateUninitialized(a.dtype, m * n), m, ka, n),
    shape: [m, n],
    // ∂L/∂a = g bᵀ, ∂L/∂b = aᵀ g
    backward(g) {
      return [a.requiresGrad ? matmulNT(g, b) : null, b.requiresGrad ? matmulTN(a, g) : null];
    },
  };
});

/** out (m×n) = aᵀ · b for a (k×m) and b (k×n), without forming aᵀ. */
export const matmulTN = defineOp('matmulTN', (a: Tensor, b: Tensor): OpResult => {
  check2d('matmulTN', a, b);
  const [ka, m] = a.shape;
  const [kb, n] = b.shape;
  checkInner('matmulTN', a, b, ka, kb);
  return {
    data: k.matmulTN(a.data, b.data, k.allocateUninitialized(a.dtype, m * n), m, ka, n),
    shape: [m, n],
    // ∂L/∂a = b gᵀ, ∂L/∂b = a g
    backward(g) {
      return [a.requiresGrad ? matmulNT(b, g) : null, b.requiresGrad ? matmul(a, g) : null];
    },
  };
});

/** out (m×n) = a · bᵀ for a (m×k) and b (n×k), without forming bᵀ. */
export const matmulNT = defineOp('matmulNT', (a: Tensor, b: Tensor): OpResult => {
  check2d('matmulNT', a, b);
  const [m, ka] = a.shape;
  const [n, kb] = b.shape;
  checkInner('matmulNT', a, b, ka, kb);
  return {
    data: k.matmulNT(a.data, b.data, k.allocateUninitialized(a.dtype, m * n), m, ka, n),
    shape: [m, n],
    // ∂L/∂a = g b, ∂L/∂b = gᵀ a
    backward(g) {
      return [a.requiresGrad ? matmul(g, b) : null, b.requiresGrad ? matmulTN(g, a) : null];
    },
  };
});
