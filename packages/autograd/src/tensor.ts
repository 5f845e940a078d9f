// Tensor: a flat row-major buffer with a shape, a dtype and, when it requires grad, the node that produced it.
// The methods are sugar over the op functions in ./ops; all maths lives there and in ./kernels.

import type { DType, FloatArray, Shape } from './kernels/index.ts';
import { allocate, dtypeOf, formatValue, shapeStr, sizeOf } from './kernels/index.ts';
import type { BackwardOptions } from './tape/backward.ts';
import { backward } from './tape/backward.ts';
import type { TapeTensor } from './tape/marks.ts';
import { rawGrad, setRawGrad } from './tape/grad-field.ts';
import { nodeOf, onTape } from './tape/marks.ts';
import { bumpVersion, counterOf, versionOf } from './tape/versions.ts';
import * as ops from './ops/index.ts';
import type { NestedNumbers } from './creation.ts';

/** A nested list of numbers, as `toArray()` returns it. */
export type NestedArray = number | NestedArray[];

/** A tensor or a plain number, which ops treat as a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

/** Set by tensorOfOp for the one constructor call it makes: keep the shape array given, not a copy. */
let keepShape = false;

/**
 * Throws unless `data` is a Float32Array or Float64Array. A function of its own, not inline in the constructor: a
 * larger constructor is no longer inlined into its callers, which cost a small network's step 7%.
 */
function checkFloatData(data: unknown): void {
  if (data instanceof Float32Array || data instanceof Float64Array) return;
  throw new Error(
    `Tensor: data is ${formatValue(data)}; expected a Float32Array or Float64Array, used as is (its type is the ` +
      `dtype). Use tensor(data, { shape, dtype }) to copy other arrays into float32 or float64`,
  );
}

export class Tensor {
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Whether backward() should compute a gradient for this tensor. */
  requiresGrad = false;
  /** Whether a non-leaf keeps its gradient in `.grad` (see retainGrad()). */
  retainsGrad = false;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`: a Float32Array or Float64Array, whose type is the dtype. Any
   * other array is refused rather than read as float32 (an Int32Array would truncate every update); `tensor()`
   * copies and converts anything numeric. Prefer `tensor()` for user data.
   */
  constructor(data: FloatArray, shape: Shape, options?: { requiresGrad?: boolean }) {
    const keep = keepShape;
    keepShape = false;
    // the tape's own outputs (tensorOfOp) are its kernels' float buffers: only a caller's data is checked
    if (!keep) checkFloatData(data);
    // the tape's fields (tape/marks.ts), set on every tensor but not part of its type
    const t = this as unknown as TapeTensor;
    t.node = null;
    t.visitedBy = 0;
    t.onPathOf = 0;
    t.pendingGrad = null;
    t.versionCounter = null;
    t.gradField = null;
    t.gradSeen = false;
    if (data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: data has ${data.length} elements but shape ${shapeStr(shape)} needs ${sizeOf(shape)}`);
    }
    this.data = data;
    // its own copy, since a caller may reuse the array it passed; the tape passes shapes nobody writes again
    this.shape = keep ? shape : shape.slice();
    this.dtype = dtypeOf(data);
    if (options?.requiresGrad) this.requiresGrad = true;
  }

  /** ∂L/∂this after backward(), accumulated across calls until zeroGrad(); null before. */
  get grad(): Tensor | null {
    const g = onTape(this).gradField;
    if (g !== null) (g as TapeTensor).gradSeen = true; // seen: never recycled (tape/grad-field.ts)
    return g;
  }

  set grad(g: Tensor | null) {
    if (g !== null) (g as TapeTensor).gradSeen = true;
    onTape(this).gradField = g;
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
    return (this as unknown as TapeTensor).node === null;
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

  /** The same values, cut from the graph: no node, no grad required. Shares the buffer, and the version counter. */
  detach(): Tensor {
    const out = new Tensor(this.data, this.shape);
    (out as Tensor as TapeTensor).versionCounter = counterOf(this);
    return out;
  }

  /**
   * How many times the library changed this tensor's values in place (optimizer steps, loadStateDict, zero_(), init,
   * gradient accumulation): PyTorch's `t._version`. backward() refuses to use a tensor whose version changed since
   * the op that used it was recorded. Writes straight into `.data` do not count (detectAnomaly catches those).
   */
  get version(): number {
    return versionOf(this);
  }

  /** Marks this leaf as requiring grad (or not); returns this. */
  requiresGrad_(flag = true): this {
    const node = (this as unknown as TapeTensor).node;
    if (!flag && node !== null) {
      throw new Error(`requiresGrad_: cannot turn off grad for a tensor computed by ${node.op}; use detach()`);
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
    const g = rawGrad(this);
    if (g === null) return;
    if (nodeOf(g) !== null) setRawGrad(this, null);
    else {
      g.data.fill(0);
      bumpVersion(g);
    }
  }

  /**
   * Fills this tensor with zeros in place and returns it: PyTorch's `t.zero_()`, e.g. `p.grad?.zero_()`. Only for a
   * tensor no recorded op produced (a gradient, a leaf), since overwriting an op's output would corrupt its graph.
   */
  zero_(): this {
    const node = (this as Tensor as TapeTensor).node;
    if (node !== null) {
      throw new Error(`zero_: cannot overwrite a tensor computed by ${node.op} in place; zero a leaf or a gradient, or use zerosLike()`);
    }
    this.data.fill(0);
    bumpVersion(this);
    return this;
  }

  toString(): string {
    // String(), not JSON.stringify: NaN and ±Infinity as themselves, not null
    const show = (v: NestedArray): string => (Array.isArray(v) ? `[${v.map(show).join(',')}]` : String(v));
    return `Tensor(${this.dtype} ${shapeStr(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''}) ${show(this.toArray())}`;
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

  // Indexing, joining, element-wise and comparison ops (as in PyTorch; `x[i]` is `x.at(i)`: see ops/select.ts)
  /** Row `index` (negative counts from the end), like PyTorch's `x[i]`, which JavaScript cannot spell for a tensor. */
  at(index: number): Tensor {
    return ops.at(this, index);
  }
  select(axis: number, index: number): Tensor {
    return ops.select(this, axis, index);
  }
  narrow(axis: number, start: number, length: number): Tensor {
    return ops.narrow(this, axis, start, length);
  }
  /** `x[start:end:step]` along `axis`, with Python's rules (see ops/narrow.ts). */
  slice(axis: number, start?: number | null, end?: number | null, step?: number): Tensor {
    return ops.slice(this, axis, start, end, step);
  }
  indexSelect(axis: number, index: ArrayLike<number> | Tensor): Tensor {
    return ops.indexSelect(this, axis, index);
  }
  gather(axis: number, index: Tensor | NestedNumbers): Tensor {
    return ops.gather(this, axis, index);
  }
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  }
  squeeze(axis?: number | readonly number[] | null): Tensor {
    return ops.squeeze(this, axis);
  }
  flatten(startAxis?: number, endAxis?: number): Tensor {
    return ops.flatten(this, startAxis, endAxis);
  }
  /** PyTorch's `x.view(-1, 4)` (or `x.view([-1, 4])`): reshape, one size may be −1. A copy: tapegrad has no views. */
  view(...shape: number[] | [Shape]): Tensor {
    return ops.reshape(this, Array.isArray(shape[0]) ? shape[0] : (shape as number[]));
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  log1p(): Tensor {
    return ops.log1p(this);
  }
  expm1(): Tensor {
    return ops.expm1(this);
  }
  erf(): Tensor {
    return ops.erf(this);
  }
  sign(): Tensor {
    return ops.sign(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return ops.clamp(this, min, max);
  }
  maximum(other: TensorLike): Tensor {
    return ops.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return ops.minimum(this, other);
  }
  /** This where `cond` is non-zero, `other` elsewhere: PyTorch's `x.where(cond, other)`, i.e. where(cond, x, other). */
  where(cond: Tensor, other: TensorLike): Tensor {
    return ops.where(cond, this, other);
  }
  gt(other: TensorLike): Tensor {
    return ops.gt(this, other);
  }
  lt(other: TensorLike): Tensor {
    return ops.lt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return ops.ge(this, other);
  }
  le(other: TensorLike): Tensor {
    return ops.le(this, other);
  }
  eq(other: TensorLike): Tensor {
    return ops.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return ops.ne(this, other);
  }
  min(axis?: number | readonly number[] | null, keepDims = false): Tensor {
    return ops.min(this, axis, keepDims);
  }
  argmax(axis?: number | null, keepDims = false): Tensor {
    return ops.argmax(this, axis, keepDims);
  }
  argmin(axis?: number | null, keepDims = false): Tensor {
    return ops.argmin(this, axis, keepDims);
  }
  logsumexp(axis?: number | readonly number[] | null, keepDims = false): Tensor {
    return ops.logsumexp(this, axis, keepDims);
  }
  /** Variance (correction 1, unbiased, by default, as torch.var); the function is `variance`. */
  var(axis?: number | readonly number[] | null, keepDims = false, correction = 1): Tensor {
    return ops.variance(this, axis, keepDims, correction);
  }
  std(axis?: number | readonly number[] | null, keepDims = false, correction = 1): Tensor {
    return ops.std(this, axis, keepDims, correction);
  }
}

/**
 * For the tape: a tensor over an op's output that keeps `shape` itself instead of a copy. The library's ops return a
 * fresh array or another tensor's shape, which nothing writes again (a tensor's shape is readonly), so tensors may
 * share it; that saves a copy per tensor made, a few per cent of a small network's step.
 */
export function tensorOfOp(data: FloatArray, shape: Shape): Tensor {
  keepShape = true;
  return new Tensor(data, shape);
}
