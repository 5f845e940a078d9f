import { describe, expect, it } from 'vitest';
import { ulpDistance, ulpsFloat32, ulpsFloat64 } from './ulps.ts';

describe('ulp distance', () => {
  it('counts representable float64 numbers', () => {
    expect(ulpsFloat64(1, 1)).toBe(0);
    expect(ulpsFloat64(1, 1 + Number.EPSILON)).toBe(1);
    expect(ulpsFloat64(1, 1 + 4 * Number.EPSILON)).toBe(4);
    expect(ulpsFloat64(1 - Number.EPSILON / 2, 1)).toBe(1); // across a binade boundary
    expect(ulpsFloat64(0, -0)).toBe(0);
    expect(ulpsFloat64(Number.MIN_VALUE, -Number.MIN_VALUE)).toBe(2); // across zero
    expect(ulpsFloat64(-1, -1 - Number.EPSILON)).toBe(1);
    expect(ulpsFloat64(NaN, 1)).toBe(Infinity);
  });

  it('counts representable float32 numbers', () => {
    const eps32 = 2 ** -23;
    expect(ulpsFloat32(1, 1 + eps32)).toBe(1);
    expect(ulpsFloat32(1, 1 + eps32 / 4)).toBe(0); // rounds to the same float32
    expect(ulpsFloat32(-2, -2 - 2 * eps32 * 3)).toBe(3);
    expect(ulpsFloat32(1.4e-45, -1.4e-45)).toBe(2);
    expect(ulpsFloat32(0, -0)).toBe(0);
    expect(ulpsFloat32(1, NaN)).toBe(Infinity);
  });

  it('dispatches on the dtype', () => {
    const x = 1 + 2 ** -30;
    expect(ulpDistance(1, x, 'float32')).toBe(0);
    expect(ulpDistance(1, x, 'float64')).toBe(2 ** 22);
  });
});
