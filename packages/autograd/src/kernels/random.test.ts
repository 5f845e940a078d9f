import { describe, expect, it } from 'vitest';
import { Random } from './random.ts';

describe('Random', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = new Random(42).normalArray('float64', 5);
    const b = new Random(42).normalArray('float64', 5);
    const c = new Random(43).normalArray('float64', 5);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('draws uniforms in [0, 1) and normals with mean ≈ 0 and variance ≈ 1', () => {
    const r = new Random(7);
    let mean = 0;
    let sq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      const z = r.normal();
      mean += z / n;
      sq += (z * z) / n;
    }
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sq - 1)).toBeLessThan(0.05);
  });

  it('rejects a seed that is not a 32-bit unsigned integer, rather than drawing from another seed', () => {
    const expected = (v: string) => `Random: seed ${v} is not an integer in [0, 4294967295]; expected a 32-bit unsigned integer seed`;
    expect(() => new Random(NaN)).toThrow(expected('NaN'));
    expect(() => new Random(1.5)).toThrow(expected('1.5'));
    expect(() => new Random(-1)).toThrow(expected('-1'));
    expect(() => new Random(2 ** 32)).toThrow(expected('4294967296'));
    expect(() => new Random('1' as never)).toThrow(expected('"1"'));
    expect(new Random(2 ** 32 - 1).nextUint32()).not.toBe(new Random(0).nextUint32());
  });
});
