import { describe, expect, it } from 'vitest';
import { maxAxes, sumAxes, sumRows, sumToShape } from './reduce.ts';

const x = Float64Array.from({ length: 24 }, (_, i) => (i * 7) % 11);

/** Σ over axis 1 of a [2, 3, 4] buffer, written out index by index. */
function sumMiddle(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) out.push(x[i * 12 + k] + x[i * 12 + 4 + k] + x[i * 12 + 8 + k]);
  return out;
}

describe('reductions', () => {
  it('sums over a middle axis', () => {
    expect(Array.from(sumAxes(x, [2, 3, 4], [1], new Float64Array(8)))).toEqual(sumMiddle());
  });

  it('sumToShape undoes a broadcast by summing over the broadcast axes', () => {
    expect(Array.from(sumToShape(x, [2, 3, 4], [3, 1]))).toEqual([0, 1, 2].map((j) => {
      let s = 0;
      for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) s += x[i * 12 + j * 4 + k];
      return s;
    }));
    expect(Array.from(sumToShape(x, [2, 3, 4], []))).toEqual([x.reduce((a, b) => a + b, 0)]);
    expect(sumToShape(x, [2, 3, 4], [2, 3, 4])).toBe(x);
  });

  it("sumToShape sums a bias row of any width as sumRows does, width 1 included (the manual engine's ∂loss/∂b^l)", () => {
    // float32 values whose float32 running sum differs from their float64 sum rounded once
    const g = Float32Array.from({ length: 7 }, (_, i) => Math.sin(63 + 3.1 * i));
    for (const [shape, target, cols] of [[[7, 1], [1], 1], [[7, 1], [1, 1], 1], [[1, 7], [7], 7]] as const) {
      const want = sumRows(g, new Float32Array(cols), 7 / cols, cols);
      expect(Array.from(sumToShape(g, shape, target)), `${shape} → ${target}`).toEqual(Array.from(want));
    }
    let running = Math.fround(0);
    for (const v of g) running = Math.fround(running + v);
    expect(sumToShape(g, [7, 1], [1])[0]).toBe(running);
    expect(running).not.toBe(Math.fround(g.reduce((a, b) => a + b, 0))); // the values tell the two orders apart
    // to a scalar, or a single value broadcast over columns, it still accumulates in float64
    expect(sumToShape(g, [7, 1], [])[0]).toBe(Math.fround(g.reduce((a, b) => a + b, 0)));
  });

  it('sumRows gives the column sums', () => {
    expect(Array.from(sumRows(Float32Array.of(1, 2, 3, 4, 5, 6), new Float32Array(3), 2, 3))).toEqual([5, 7, 9]);
  });

  it('max records the first maximal index and propagates NaN', () => {
    const out = new Float64Array(2);
    const arg = new Int32Array(2);
    maxAxes(Float64Array.of(1, 5, 5, 2, NaN, 3), [2, 3], [1], out, arg);
    expect(out[0]).toBe(5);
    expect(arg[0]).toBe(1);
    expect(out[1]).toBeNaN();
  });
});
