import { Random } from '@tapegrad/autograd/kernels';

// A labelled data set held in float64 (each engine rounds it to its own dtype, identically), and the batches cut
// from it. Both engines of a run see the very same Batch objects.

export interface Dataset {
  readonly name: string;
  /** count × features, row-major. */
  readonly x: Float64Array;
  /** One class index per sample. */
  readonly labels: Int32Array;
  readonly count: number;
  readonly features: number;
  readonly classes: number;
}

/** One batch: N rows of width d, row-major, with their class indices. */
export interface Batch {
  readonly N: number;
  readonly d: number;
  readonly x: Float64Array;
  readonly labels: Int32Array;
}

/** Throws unless the arrays of a data set agree with its counts. */
export function checkDataset(ds: Dataset): Dataset {
  if (ds.x.length !== ds.count * ds.features) {
    throw new Error(`${ds.name}: x has ${ds.x.length} values but ${ds.count} samples × ${ds.features} features need ${ds.count * ds.features}`);
  }
  if (ds.labels.length !== ds.count) throw new Error(`${ds.name}: ${ds.labels.length} labels for ${ds.count} samples`);
  for (let i = 0; i < ds.count; i++) {
    const k = ds.labels[i];
    if (k < 0 || k >= ds.classes) throw new Error(`${ds.name}: label ${k} of sample ${i} is outside [0, ${ds.classes - 1}]`);
  }
  return ds;
}

/** The samples at `indices` as one batch (copied). */
export function gather(ds: Dataset, indices: ArrayLike<number>): Batch {
  const N = indices.length;
  const d = ds.features;
  const x = new Float64Array(N * d);
  const labels = new Int32Array(N);
  for (let r = 0; r < N; r++) {
    const i = indices[r];
    x.set(ds.x.subarray(i * d, (i + 1) * d), r * d);
    labels[r] = ds.labels[i];
  }
  return { N, d, x, labels };
}

/**
 * `count` batches of `size` samples: seeded shuffles of the data set, one epoch after another. A data set of
 * exactly `size` samples (the chapter's batch of 3) gives the whole set, in its own order, every time.
 */
export function makeBatches(ds: Dataset, size: number, count: number, seed: number): Batch[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`makeBatches: batch size ${size}; expected a positive integer`);
  if (size > ds.count) throw new Error(`makeBatches: batch of ${size} from ${ds.name}, which has only ${ds.count} samples`);
  if (size === ds.count) {
    const all = gather(ds, Array.from({ length: size }, (_, i) => i));
    return Array.from({ length: count }, () => all);
  }
  const rng = new Random(seed);
  const order = Int32Array.from({ length: ds.count }, (_, i) => i);
  let pos = ds.count;
  const out: Batch[] = [];
  for (let b = 0; b < count; b++) {
    if (pos + size > ds.count) {
      for (let i = ds.count - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      pos = 0;
    }
    out.push(gather(ds, order.subarray(pos, pos + size)));
    pos += size;
  }
  return out;
}

/** The first `rows` rows of a batch (for checks that need a cheaper batch of the same kind). */
export function headOf(batch: Batch, rows: number): Batch {
  const N = Math.min(rows, batch.N);
  if (N === batch.N) return batch;
  return { N, d: batch.d, x: batch.x.slice(0, N * batch.d), labels: batch.labels.slice(0, N) };
}
