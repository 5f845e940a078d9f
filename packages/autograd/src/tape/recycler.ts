// Buffer recycling for scopes whose every buffer is known to be dead at the end: the tape runs the backward rules of
// a `backward()` pass inside one (see `recycler` below for why nothing it allocates there can outlive the pass).
// While a recycler is the kernels' buffer pool (setBufferPool), allocate() and allocateUninitialized() take buffers
// over 64 bytes from it; reclaim() then
// puts every buffer handed out since the last reclaim back on the free lists, keyed by dtype and length, except those
// given away with release() (the parameters' gradients, which become `.grad`). A training loop repeats the same
// shapes every step, so from the second step on its backward pass allocates only those: no other fresh memory to
// fault in, no garbage for the collector. Like PyTorch's caching allocator it keeps what it holds (up to
// RECYCLER_MAX_BYTES) rather than giving it back to the system.
import type { BufferPool, DType, FloatArray } from '../kernels/dtype.ts';

/**
 * Buffers smaller than this are not pooled. V8 keeps a typed array of up to 64 bytes inside its heap, where making
 * one costs ~40 ns, as little as finding one; a larger one gets a backing store of its own outside the heap, which
 * costs 0.8-1.6 µs up to a few KiB (measured here: new Float64Array(9) 790 ns, new Float64Array(6) 35 ns).
 */
export const RECYCLE_MIN_BYTES = 65;
/** The most bytes a recycler keeps on its free lists; buffers reclaimed beyond that are left to the collector. */
export const RECYCLER_MAX_BYTES = 512 * 2 ** 20;

export class BufferRecycler implements BufferPool {
  private readonly free = new Map<number, FloatArray[]>();
  private readonly lent: FloatArray[] = [];
  private freeBytes = 0;
  /** Buffers handed out from the free lists, and buffers that had to be made, since this recycler was created. */
  readonly stats = { reused: 0, made: 0 };

  /**
   * A buffer of `n` elements of `dtype` (zero-filled when `zeroed`), from the free lists if one of that dtype and
   * length is there, else from `make`; null below RECYCLE_MIN_BYTES, for the caller to allocate as usual.
   */
  take(dtype: DType, n: number, zeroed: boolean, make: (dtype: DType, n: number) => FloatArray): FloatArray | null {
    const bytes = n * (dtype === 'float64' ? 8 : 4);
    if (bytes < RECYCLE_MIN_BYTES) return null;
    const x = this.free.get(keyOf(dtype, n))?.pop();
    let out: FloatArray;
    if (x === undefined) {
      out = make(dtype, n);
      this.stats.made++;
    } else {
      this.freeBytes -= bytes;
      if (zeroed) x.fill(0);
      out = x;
      this.stats.reused++;
    }
    this.lent.push(out);
    return out;
  }

  /** Every buffer handed out since the last reclaim goes back on the free lists (the caller vouches they are dead). */
  reclaim(): void {
    // nothing lent (a small network's pass): return before `length = 0`, a runtime call even on an empty array
    if (this.lent.length === 0) return;
    for (const x of this.lent) this.giveBack(x);
    this.lent.length = 0;
  }

  /**
   * Gives `x`, lent since the last reclaim, to the caller for good: reclaim() will not take it back. True if it was
   * lent (it is the caller's now); false if this recycler did not lend it, or has given it up already.
   */
  release(x: FloatArray): boolean {
    const i = this.lent.lastIndexOf(x);
    if (i < 0) return false;
    this.lent[i] = this.lent[this.lent.length - 1];
    this.lent.pop();
    return true;
  }

  /**
   * Takes back, onto the free lists, a buffer it released (or one made outside it) whose owner has dropped it and
   * which nothing else can reach (tape/grad-field.ts: a gradient zeroGrad() dropped unseen).
   */
  giveBack(x: FloatArray): void {
    if (x.byteLength < RECYCLE_MIN_BYTES || this.freeBytes + x.byteLength > RECYCLER_MAX_BYTES) return;
    const key = keyOf(x instanceof Float64Array ? 'float64' : 'float32', x.length);
    let list = this.free.get(key);
    if (list === undefined) this.free.set(key, (list = []));
    list.push(x);
    this.freeBytes += x.byteLength;
  }

  /** Drops the free lists (what is lent stays lent), leaving their buffers to the garbage collector. */
  empty(): void {
    this.free.clear();
    this.freeBytes = 0;
  }

  /** Bytes on the free lists now. */
  get heldBytes(): number {
    return this.freeBytes;
  }
}

/** The free list of a dtype and length: the length, negated for float64 (pooled lengths are at least 9). */
function keyOf(dtype: DType, n: number): number {
  return dtype === 'float64' ? -n : n;
}

/**
 * The buffers of backward()'s rules. Why none of them can outlive the walk that allocated them, except those
 * accumulateGrad takes: the rules run with recording off (no node keeps a tensor); the gradients they return live
 * only in pendingGrad, which the walk clears, and reach a `.grad` through accumulateGrad, which either copies them
 * or takes the buffer out of the recycler for good (release), once; the library's rules keep nothing they are
 * given or make (a walk through a user-defined op, whose rule might, does not recycle), and no rule writes into a
 * gradient it is given; and the seed comes from outside the walk. So at its end every buffer the recycler still
 * counts as lent is dead, and the next backward() reuses them.
 */
export const recycler = new BufferRecycler();

/** What the tape's recycler has reused and made, and holds: for tests and benchmarks. */
export function recyclerStats(): { reused: number; made: number; heldBytes: number } {
  return { ...recycler.stats, heldBytes: recycler.heldBytes };
}

/** Lets go of the buffers backward() keeps for its next pass (like torch.cuda.empty_cache), e.g. between models. */
export function emptyCache(): void {
  recycler.empty();
}
