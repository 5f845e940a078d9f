import { describe, expect, it } from 'vitest';
import { allocate, allocateUninitialized, bufferPool, setBufferPool } from '../kernels/dtype.ts';
import { BufferRecycler, RECYCLE_MIN_BYTES, RECYCLER_MAX_BYTES } from './recycler.ts';

/** Runs fn with r active, restoring what was active before. */
function within<T>(r: BufferRecycler, fn: () => T): T {
  const outer = setBufferPool(r);
  try {
    return fn();
  } finally {
    setBufferPool(outer);
  }
}

describe('BufferRecycler', () => {
  it('hands a reclaimed buffer back for the same dtype and length, and makes one otherwise', () => {
    const r = new BufferRecycler();
    const a = within(r, () => allocateUninitialized('float32', 2048));
    r.reclaim();
    expect(r.heldBytes).toBe(2048 * 4);
    const again = within(r, () => allocateUninitialized('float32', 2048));
    expect(again).toBe(a);
    expect(r.heldBytes).toBe(0);
    const otherLength = within(r, () => allocateUninitialized('float32', 2049));
    const otherDType = within(r, () => allocateUninitialized('float64', 2048));
    expect(otherLength).not.toBe(a);
    expect(otherDType).toBeInstanceOf(Float64Array);
    expect(r.stats).toEqual({ reused: 1, made: 3 });
  });

  it('release() gives a lent buffer away once: reclaim() does not take it back', () => {
    const r = new BufferRecycler();
    const [a, b] = within(r, () => [allocateUninitialized('float32', 2048), allocateUninitialized('float32', 2048)]);
    expect(r.release(a)).toBe(true);
    expect(r.release(a)).toBe(false); // given away already
    expect(r.release(new Float32Array(2048))).toBe(false); // never lent
    r.reclaim();
    expect(r.heldBytes).toBe(2048 * 4); // b only
    const next = within(r, () => [allocateUninitialized('float32', 2048), allocateUninitialized('float32', 2048)]);
    expect(next[0]).toBe(b);
    expect(next[1]).not.toBe(a);
  });

  it('zero-fills a reused buffer when allocate() asks for zeros', () => {
    const r = new BufferRecycler();
    const a = within(r, () => allocate('float64', 1024));
    a.fill(7);
    r.reclaim();
    const b = within(r, () => allocate('float64', 1024));
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
  });

  it('leaves buffers under RECYCLE_MIN_BYTES to plain allocation', () => {
    const r = new BufferRecycler();
    const n = Math.floor((RECYCLE_MIN_BYTES - 1) / 4);
    const a = within(r, () => allocateUninitialized('float32', n));
    r.reclaim();
    expect(r.heldBytes).toBe(0);
    expect(within(r, () => allocateUninitialized('float32', n))).not.toBe(a);
    expect(r.stats).toEqual({ reused: 0, made: 0 });
  });

  it('holds at most RECYCLER_MAX_BYTES; the rest is left to the collector', () => {
    const r = new BufferRecycler();
    const n = RECYCLER_MAX_BYTES / 8 / 4; // a quarter of the cap, as float64
    within(r, () => {
      for (let i = 0; i < 5; i++) allocateUninitialized('float64', n);
    });
    r.reclaim();
    expect(r.heldBytes).toBe(RECYCLER_MAX_BYTES);
  });

  it('is used only while active', () => {
    const r = new BufferRecycler();
    expect(bufferPool()).toBe(null);
    const a = within(r, () => allocateUninitialized('float32', 4096));
    expect(bufferPool()).toBe(null);
    r.reclaim();
    expect(allocateUninitialized('float32', 4096)).not.toBe(a); // not active: a fresh buffer
    expect(r.heldBytes).toBe(4096 * 4);
  });

  it('empty() drops the free lists, not what is lent', () => {
    const r = new BufferRecycler();
    const a = within(r, () => allocateUninitialized('float32', 2048));
    r.reclaim();
    const lent = within(r, () => allocateUninitialized('float32', 4096));
    r.empty();
    expect(r.heldBytes).toBe(0);
    expect(within(r, () => allocateUninitialized('float32', 2048))).not.toBe(a);
    r.reclaim(); // what was lent before empty() comes back
    expect(within(r, () => allocateUninitialized('float32', 4096))).toBe(lent);
  });
});
