// DataLoader: mini-batches of a data set held in memory, like torch.utils.data.DataLoader over a TensorDataset.
// Each pass (for … of loader) draws a permutation of the sample indices (when shuffling) and fills each batch by
// gathering those rows into buffers that are allocated once and reused, so no pass copies the data set: a batch is
// overwritten by the next one (take a copy of one you keep, or pass { reuseBuffers: false }). Overwriting a batch
// Tensor counts as an in-place change (its version goes up), so backward() through a graph recorded from a batch
// that has since been overwritten is refused rather than computed from the next batch's values.
//
//   const loader = new DataLoader([images, labels], { batchSize: 64, shuffle: true, rng: new Random(0) });
//   for (const [x, y] of loader) { … crossEntropy(model.call(x), y) … }
//
// A column is a Tensor [N, …] (batches are Tensors [B, …] of its dtype), a typed array of N values, one per sample
// (batches are typed arrays of the same kind: Int32Array labels stay Int32Array), or { data, shape: [N, …] } for
// a typed array with more values per sample (batches are { data, shape: [B, …] }).

import type { NumericArray, Random, Shape } from '../kernels/index.ts';
import { allocateResident, dtypeOf, gatherRows, shapeStr, sizeOf } from '../kernels/index.ts';
import { defaultRandom } from '../creation.ts';
import { bumpVersion } from '../tape/versions.ts';
import { Tensor } from '../tensor.ts';

export type { NumericArray };

/** A typed array with a shape [N, …] (N samples of the remaining shape). */
export interface ShapedArray<A extends NumericArray = NumericArray> {
  data: A;
  shape: Shape;
}

/** One column of a data set. */
export type Column = Tensor | NumericArray | ShapedArray;

/** What a batch holds for a column of type C. */
export type BatchOf<C> = C extends Tensor ? Tensor : C extends ShapedArray<infer A> ? ShapedArray<A> : C;

/** A batch: one entry per column. */
export type Batch<C extends readonly Column[]> = { -readonly [K in keyof C]: BatchOf<C[K]> };

export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Draw a new order of the samples for every pass (default false: in order). */
  shuffle?: boolean;
  /** The generator of the orders (default: the one manualSeed() reseeds). Its getState() checkpoints the order. */
  rng?: Random;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Refill the same buffers for every batch (default true); false allocates each batch afresh. */
  reuseBuffers?: boolean;
}

interface Source {
  data: NumericArray | Float32Array | Float64Array;
  /** Number of samples. */
  count: number;
  /** Values per sample. */
  width: number;
  /** The shape of one sample. */
  sampleShape: number[];
  make(data: NumericArray, rows: number): unknown;
}

export class DataLoader<C extends readonly Column[]> {
  /** Number of samples. */
  readonly size: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly sources: Source[];
  private readonly rng: Random | undefined;
  private readonly reuse: boolean;
  private readonly order: Int32Array;
  /** Per column: the buffer of a full batch and of the smaller last batch, made on first use. */
  private readonly buffers = new Map<number, NumericArray[]>();
  /** The last Tensor made over each reused buffer, to be told when the buffer is refilled. */
  private readonly batchTensors = new Map<NumericArray, Tensor>();

  constructor(columns: readonly [...C], options: DataLoaderOptions = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false, reuseBuffers = true } = options;
    if (!Array.isArray(columns) || columns.length === 0) {
      throw new Error('DataLoader: expected a non-empty list of columns (Tensors [N, …], typed arrays of N values, or { data, shape: [N, …] })');
    }
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    this.sources = columns.map((c, i) => sourceOf(c, i));
    this.size = this.sources[0].count;
    this.sources.forEach(({ count: n }, i) => {
      if (n !== this.size) {
        throw new Error(`DataLoader: column ${i} has ${n} samples but column 0 has ${this.size}; expected the same number of samples in every column`);
      }
    });
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.rng = options.rng;
    this.reuse = reuseBuffers;
    this.order = new Int32Array(this.size);
  }

  /** The number of batches in one pass. */
  get length(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  /** One pass over the data: batches in a fresh random order when shuffling, else in order. */
  *[Symbol.iterator](): Generator<Batch<C>> {
    const order = this.order;
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) {
      const rng = this.rng ?? defaultRandom();
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1); // Fisher–Yates
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    for (let b = 0; b < this.length; b++) {
      const start = b * this.batchSize;
      const rows = Math.min(this.batchSize, this.size - start);
      yield this.sources.map((s, c) => this.batchOf(s, c, start, rows)) as Batch<C>;
    }
  }

  /** The batch of a column: its rows gathered, made into the column's kind; a Tensor over a reused buffer is kept. */
  private batchOf(s: Source, column: number, start: number, rows: number): unknown {
    const data = this.gather(s, column, start, rows);
    const overwritten = this.batchTensors.get(data);
    if (overwritten !== undefined) bumpVersion(overwritten); // its values are now this batch's
    const batch = s.make(data, rows);
    if (this.reuse && batch instanceof Tensor) this.batchTensors.set(data, batch);
    return batch;
  }

  /** The rows order[start … start + rows) of a column, copied into its batch buffer. */
  private gather(s: Source, column: number, start: number, rows: number): NumericArray {
    return gatherRows(s.data, s.width, this.order, start, rows, this.bufferFor(s, column, rows));
  }

  private bufferFor(s: Source, column: number, rows: number): NumericArray {
    // float batches in the kernels' memory where that pays (allocateResident): the first layer's products read them in place
    const make = (): NumericArray =>
      s.data instanceof Float32Array || s.data instanceof Float64Array
        ? allocateResident(dtypeOf(s.data), rows * s.width)
        : new (s.data.constructor as new (n: number) => NumericArray)(rows * s.width);
    if (!this.reuse) return make();
    let pair = this.buffers.get(column);
    if (pair === undefined) {
      pair = [];
      this.buffers.set(column, pair);
    }
    const slot = rows === this.batchSize ? 0 : 1;
    if (pair[slot] === undefined) pair[slot] = make();
    return pair[slot];
  }
}

function sourceOf(c: Column, i: number): Source {
  if (c instanceof Tensor) {
    if (c.ndim === 0) throw new Error(`DataLoader: column ${i} is a scalar tensor; expected a first axis of samples [N, …]`);
    const sampleShape = c.shape.slice(1);
    return { data: c.data, count: c.shape[0], width: sizeOf(sampleShape), sampleShape, make: (data, rows) => new Tensor(data as Float32Array, [rows, ...sampleShape]) };
  }
  if (ArrayBuffer.isView(c) && !(c instanceof DataView) && !(c instanceof BigInt64Array) && !(c instanceof BigUint64Array)) {
    return { data: c as NumericArray, count: (c as NumericArray).length, width: 1, sampleShape: [], make: (data) => data };
  }
  const shaped = c as ShapedArray | null;
  if (shaped !== null && typeof shaped === 'object' && ArrayBuffer.isView(shaped.data) && Array.isArray(shaped.shape) && shaped.shape.length > 0) {
    if (sizeOf(shaped.shape) !== shaped.data.length) {
      throw new Error(`DataLoader: column ${i} has ${shaped.data.length} values but shape ${shapeStr(shaped.shape)} needs ${sizeOf(shaped.shape)}`);
    }
    const sampleShape = shaped.shape.slice(1);
    return { data: shaped.data, count: shaped.shape[0], width: sizeOf(sampleShape), sampleShape, make: (data, rows) => ({ data, shape: [rows, ...sampleShape] }) };
  }
  throw new Error(`DataLoader: column ${i} is ${c === null ? 'null' : typeof c}; expected a Tensor [N, …], a typed array of N values, or { data, shape: [N, …] }`);
}
