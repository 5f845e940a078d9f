import { describe, expect, it } from 'vitest';
import { gatherRows } from './layout.ts';

describe('gatherRows', () => {
  it('copies rows index[start…start+count) of x into out, for wide rows (block copies) and narrow ones', () => {
    for (const width of [1, 3, 16, 40]) {
      const rows = 9;
      const x = Float64Array.from({ length: rows * width }, (_, i) => i * 0.5);
      const index = Int32Array.of(4, 8, 0, 0, 3, 7);
      const out = new Float64Array(4 * width).fill(-1);
      expect(gatherRows(x, width, index, 1, 3, out)).toBe(out);
      const want = [8, 0, 0].flatMap((r) => Array.from(x.subarray(r * width, (r + 1) * width)));
      expect(Array.from(out.subarray(0, 3 * width))).toEqual(want);
      expect(Array.from(out.subarray(3 * width))).toEqual(new Array(width).fill(-1)); // past count: untouched
    }
  });

  it('keeps the typed array kind (bytes, labels)', () => {
    const images = Uint8Array.from({ length: 3 * 20 }, (_, i) => i);
    const out = gatherRows(images, 20, [2, 0], 0, 2, new Uint8Array(40));
    expect(out[0]).toBe(40);
    expect(out[20]).toBe(0);
    expect(Array.from(gatherRows(Int32Array.of(5, 6, 7), 1, [2, 2, 1], 0, 3, new Int32Array(3)))).toEqual([7, 7, 6]);
  });

  it('throws on an index out of range and on a short out', () => {
    const x = new Float32Array(4 * 2);
    expect(() => gatherRows(x, 2, [0, 4], 0, 2, new Float32Array(4))).toThrow('gatherRows: index 4 at position 1 is out of range; x has 4 rows');
    expect(() => gatherRows(x, 2, [0, -1], 0, 2, new Float32Array(4))).toThrow('gatherRows: index -1 at position 1 is out of range');
    expect(() => gatherRows(x, 2, [0, 1], 0, 2, new Float32Array(3))).toThrow('gatherRows: out has 3 elements; 2 rows of 2 need 4');
  });
});
