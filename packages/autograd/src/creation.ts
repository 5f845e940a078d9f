// Making tensors from user data and from the seeded generator. Every function copies its input, so a tensor never
// shares a buffer with the caller's array.

import type { DType, FloatArray, Shape } from './kernels/index.ts';
import { allocate, allocateResident, checkAllocation, checkDType, checkSeed, checkShape, formatValue, Random, shapeStr, sizeOf } from './kernels/index.ts';
import { toResident } from './kernels/wasm/resident.ts';
import { Tensor } from './tensor.ts';

/** Numbers nested to any depth, rectangular: `[[1, 2], [3, 4]]`. */
export type NestedNumbers = number | readonly NestedNumbers[];

/** What `tensor()` accepts: a number, nested number lists, or a flat typed array / list (with `shape`). */
export type TensorData = NestedNumbers | ArrayLike<number>;

export interface CreationOptions {
  /** float32 (the default, as in PyTorch) or float64. */
  dtype?: DType;
  /** Mark the result as a leaf that backward() computes a gradient for. */
  requiresGrad?: boolean;
}

export interface TensorOptions extends CreationOptions {
  /** The shape of flat data; nested lists carry their own shape (given here, it must hold as many elements). */
  shape?: Shape;
}

export interface RandomOptions extends CreationOptions {
  /** The generator to draw from; the module default (see manualSeed) when omitted. */
  rng?: Random;
}

// The module-level generator behind randn/uniform without `rng`: seeded with a fixed value, so that a fresh process
// is reproducible even before manualSeed (PyTorch's default CPU generator has a fixed seed too).
const DEFAULT_SEED = 20240611;
let defaultRng = new Random(DEFAULT_SEED);

/** Reseeds the default generator, like `torch.manual_seed`: later randn/uniform calls without `rng` repeat. */
export function manualSeed(seed: number): void {
  defaultRng = new Random(checkSeed('manualSeed', seed));
}

/** The default generator that randn/uniform draw from when given no `rng`. */
export function defaultRandom(): Random {
  return defaultRng;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `a list of length ${x.length}`;
  if (typeof x === 'string') return `the string ${formatValue(x)}`;
  return `${typeof x} ${String(x)}`;
}

function position(path: readonly number[]): string {
  return path.length === 0 ? 'the top level' : `[${path.join(', ')}]`;
}

/** The shape of rectangular nested lists (read along the first elements) and their numbers in row-major order. */
function flattenNested(data: readonly NestedNumbers[]): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let x: unknown = data; Array.isArray(x); x = x[0]) {
    shape.push(x.length);
    if (x.length === 0) break;
  }
  const values: number[] = [];
  const path: number[] = [];
  const visit = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof x !== 'number') {
        const why = Array.isArray(x) ? ` (ragged nesting: the element at ${position(path.map(() => 0))} is a number)` : '';
        throw new Error(`tensor: expected a number at ${position(path)}, got ${describe(x)}${why}`);
      }
      values.push(x);
      return;
    }
    if (!Array.isArray(x)) {
      throw new Error(
        `tensor: ragged nested array: expected a list of length ${shape[depth]} at ${position(path)}, got ${describe(x)}`,
      );
    }
    if (x.length !== shape[depth]) {
      throw new Error(
        `tensor: ragged nested array: the list at ${position(path)} has length ${x.length} but the list at ` +
          `${position(path.map(() => 0))} has length ${shape[depth]}; expected equal lengths`,
      );
    }
    for (let i = 0; i < x.length; i++) {
      path.push(i);
      visit(x[i], depth + 1);
      path.pop();
    }
  };
  visit(data, 0);
  return { shape, values };
}

/**
 * A tensor holding a copy of `data`: a number (shape []), rectangular nested lists of numbers, or a flat typed
 * array / number list with `options.shape` (1-D when omitted). The dtype is float32 unless `options.dtype` says
 * otherwise or `data` is a Float64Array.
 */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  const dtype = checkDType('tensor', options.dtype ?? (data instanceof Float64Array ? 'float64' : 'float32'));
  let values: ArrayLike<number>;
  let shape: number[];
  if (typeof data === 'number') {
    values = [data];
    shape = [];
  } else if (Array.isArray(data)) {
    ({ values, shape } = flattenNested(data));
  } else if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    values = data as ArrayLike<number>;
    shape = [values.length];
  } else {
    throw new Error(`tensor: expected a number, nested lists of numbers or a typed array, got ${describe(data)}`);
  }
  if (options.shape !== undefined) {
    checkShape('tensor', options.shape);
    if (sizeOf(options.shape) !== values.length) {
      throw new Error(
        `tensor: data has ${values.length} elements but shape ${shapeStr(options.shape)} needs ${sizeOf(options.shape)}`,
      );
    }
    shape = [...options.shape];
  }
  // a tensor that requires grad is a parameter: in the kernels' memory where that pays (allocateResident)
  const buffer = options.requiresGrad === true ? allocateResident(dtype, values.length) : allocate(dtype, values.length);
  buffer.set(values);
  return new Tensor(buffer, shape, { requiresGrad: options.requiresGrad });
}

function make(op: string, shape: Shape, options: CreationOptions, fill: (dtype: DType, n: number) => FloatArray): Tensor {
  checkShape(op, shape);
  const dtype = checkDType(op, options.dtype ?? 'float32');
  checkAllocation(op, dtype, { 'a tensor': shape });
  const data = fill(dtype, sizeOf(shape));
  return new Tensor(options.requiresGrad === true ? toResident(data) : data, shape, { requiresGrad: options.requiresGrad });
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: CreationOptions = {}): Tensor {
  return make('zeros', shape, options, allocate);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: CreationOptions = {}): Tensor {
  return make('ones', shape, options, (dtype, n) => allocate(dtype, n).fill(1));
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, options: CreationOptions = {}): Tensor {
  if (typeof value !== 'number') throw new Error(`full: value must be a number, got ${describe(value)}`);
  return make('full', shape, options, (dtype, n) => allocate(dtype, n).fill(value));
}

/** Zeros of `like`'s shape (and dtype, unless given). */
export function zerosLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return zeros(like.shape, { dtype: like.dtype, ...options });
}

/** Ones of `like`'s shape (and dtype, unless given). */
export function onesLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return ones(like.shape, { dtype: like.dtype, ...options });
}

/** Normal draws N(mean, std²), from `options.rng` or the default generator. */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const { mean = 0, std = 1 } = options;
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new Error(`randn: expected a finite mean and a finite std ≥ 0, got mean ${mean}, std ${std}`);
  }
  const rng = options.rng ?? defaultRng;
  return make('randn', shape, options, (dtype, n) => rng.normalArray(dtype, n, mean, std));
}

/** Uniform draws in [low, high), from `options.rng` or the default generator. */
export function uniform(shape: Shape, low = 0, high = 1, options: RandomOptions = {}): Tensor {
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new Error(`uniform: expected finite bounds with low ≤ high, got [${low}, ${high})`);
  }
  const rng = options.rng ?? defaultRng;
  return make('uniform', shape, options, (dtype, n) => rng.uniformArray(dtype, n, low, high));
}

/** 0, 1, …, n − 1 as a 1-D tensor (like `torch.arange(n)`). */
export function arange(n: number, options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`arange: expected a non-negative integer count, got ${n}`);
  return make('arange', [n], options, (dtype, count) => {
    const out = allocate(dtype, count);
    for (let i = 0; i < count; i++) out[i] = i;
    return out;
  });
}
