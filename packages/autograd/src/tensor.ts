// Tensor: a flat row-major buffer with a shape, a dtype and, when it requires grad, the node that produced it.
// The methods are sugar over the op functions in ./ops; all maths lives there and in ./kernels.

import type { DType, FloatArray, Shape } from './kernels/index.ts';
import { allocate, dtypeOf, shapeStr, sizeOf } from './kernels/index.ts';
import type { BackwardOptions, Node } from './tape.ts';
import { backward } from './tape.ts';
import * as ops from './ops/index.ts';

/** A nested list of numbers, as `toArray()` returns it. */
export type NestedArray = number | NestedArray[];

/** A tensor or a plain number, which ops treat as a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

/** The token with which tensorOfOp asks the constructor to keep the shape array it is given. */
const KEEP_SHAPE: unique symbol = Symbol('keep shape');

export class Tensor {
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Whether backward() should compute a gradient for this tensor. */
  requiresGrad = false;
  /** ∂L/∂this after backward(), accumulated across calls until zeroGrad(); null before. */
  grad: Tensor | null = null;
  /** The recorded op that produced this tensor; null for leaves (and everything made under noGrad). */
  node: Node | null = null;
  /** Whether a non-leaf keeps its gradient in `.grad` (see retainGrad()). */
  retainsGrad = false;
  /** Bookkeeping of the tape's reverse walk (see reverseWalk): which walk is visiting this tensor (−walk once it
   * has been ordered), which walk found it on a path to the tensors it differentiates for, and the gradient summed
   * for it so far in that walk. */
  visitedBy = 0;
  onPathOf = 0;
  pendingGrad: Tensor | null = null;

  /** Wraps `data` (not copied) as a tensor of `shape`. Prefer `tensor()` for user data. */
  constructor(data: FloatArray, shape: Shape, options?: { requiresGrad?: boolean }, keep?: typeof KEEP_SHAPE) {
    if (data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: data has ${data.length} elements but shape ${shapeStr(shape)} needs ${sizeOf(shape)}`);
    }
    this.data = data;
    // its own copy, since a caller may reuse the array it passed; the tape passes shapes nobody writes again
    this.shape = keep === KEEP_SHAPE ? shape : shape.slice();
    this.dtype = dtypeOf(data);
    if (options?.requiresGrad) this.requiresGrad = true;
  }

  /** A tensor of `shape` filled with `value`. */
  static full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
    return new Tensor(allocate(dtype, sizeOf(shape)).fill(value), shape);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True for tensors not produced by a recorded op (user-created parameters and inputs). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The values as nested arrays (a plain number for a scalar). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset];
      let stride = 1;
      for (let i = axis + 1; i < this.shape.length; i++) stride *= this.shape[i];
      return Array.from({ length: this.shape[axis] }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new Error(`item: tensor of shape ${shapeStr(this.shape)} has ${this.data.length} elements; expected exactly one`);
    }
    return this.data[0];
  }

  /** Computes ∂this/∂x for every leaf x that requires grad and adds it into x.grad. */
  backward(options: BackwardOptions = {}): void {
    backward(this, options);
  }

  /** The same values, cut from the graph: no node, no grad required. Shares the buffer. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** Marks this leaf as requiring grad (or not); returns this. */
  requiresGrad_(flag = true): this {
    if (!flag && this.node !== null) {
      throw new Error(`requiresGrad_: cannot turn off grad for a tensor computed by ${this.node.op}; use detach()`);
    }
    this.requiresGrad = flag;
    return this;
  }

  /** Keeps the gradient of this non-leaf in `.grad` after backward() (leaves always keep theirs). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Clears the accumulated gradient (the buffer is kept and zeroed when it holds no graph). */
  zeroGrad(): void {
    if (this.grad === null) return;
    if (this.grad.node !== null) this.grad = null;
    else this.grad.data.fill(0);
  }

  /**
   * Fills this tensor with zeros in place and returns it: PyTorch's `t.zero_()`, e.g. `p.grad?.zero_()`. Only for a
   * tensor no recorded op produced (a gradient, a leaf), since overwriting an op's output would corrupt its graph.
   */
  zero_(): this {
    if (this.node !== null) {
      throw new Error(`zero_: cannot overwrite a tensor computed by ${this.node.op} in place; zero a leaf or a gradient, or use zerosLike()`);
    }
    this.data.fill(0);
    return this;
  }

  toString(): string {
    return `Tensor(${this.dtype} ${shapeStr(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''}) ${JSON.stringify(this.toArray())}`;
  }

  add(other: TensorLike): Tensor {
    return ops.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return ops.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return ops.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return ops.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return ops.pow(this, exponent);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }
  transpose(): Tensor {
    return ops.transpose(this);
  }
  /** The transpose of a 2-D tensor. */
  get T(): Tensor {
    return ops.transpose(this);
  }
  reshape(shape: Shape): Tensor {
    return ops.reshape(this, shape);
  }
  sum(axis?: number | readonly number[] | null, keepDims = false): Tensor {
    return ops.sum(this, axis, keepDims);
  }
  mean(axis?: number | readonly number[] | null, keepDims = false): Tensor {
    return ops.mean(this, axis, keepDims);
  }
  max(axis?: number | readonly number[] | null, keepDims = false): Tensor {
    return ops.max(this, axis, keepDims);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  leakyRelu(slope?: number): Tensor {
    return ops.leakyRelu(this, slope);
  }
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }
  /** A copy in `dtype` (differentiable; the gradient is cast back). */
  to(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }
}

/**
 * For the tape: a tensor over an op's output that keeps `shape` itself instead of a copy. The library's ops return a
 * fresh array or another tensor's shape, which nothing writes again (a tensor's shape is readonly), so tensors may
 * share it; that saves a copy per tensor made, a few per cent of a small network's step.
 */
export function tensorOfOp(data: FloatArray, shape: Shape): Tensor {
  return new Tensor(data, shape, undefined, KEEP_SHAPE);
}
