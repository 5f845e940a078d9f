import type { DType, FloatArray } from './dtype.ts';
import { allocate } from './dtype.ts';
import { formatValue } from './format.ts';

/** The largest seed: the generator is seeded from 32 bits. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * Returns `seed` unless it is not an integer in [0, MAX_SEED]: the generator keeps 32 bits, so any other number
 * would silently give the draws of another seed (1.5 those of 1, −1 those of 2³² − 1).
 */
export function checkSeed(op: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(`${op}: seed ${formatValue(seed)} is not an integer in [0, ${MAX_SEED}]; expected a 32-bit unsigned integer seed`);
  }
  return seed;
}

/**
 * A small seeded generator (sfc32, seeded through splitmix32) so that two runs, or two engines, can start from
 * identical weights. Uniform draws use 53 random bits; normal draws use the Box–Muller transform.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    let s = checkSeed('Random', seed);
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal draw. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** `n` normal draws with mean `mean` and standard deviation `std`. */
  normalArray(dtype: DType, n: number, mean = 0, std = 1): FloatArray {
    const out = allocate(dtype, n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** `n` uniform draws in [low, high). */
  uniformArray(dtype: DType, n: number, low = 0, high = 1): FloatArray {
    const out = allocate(dtype, n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /** The generator's position, e.g. for a checkpoint (JSON-ready: NaN becomes null): setState() of it repeats the draws from here. */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0, this.spare ?? NaN];
  }

  /** Returns to a position from getState(). */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 5 || !state.slice(0, 4).every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
      throw new Error(`Random.setState: expected the 5 numbers getState() returns (4 unsigned 32-bit words and a spare), got ${formatValue(state)}`);
    }
    [this.a, this.b, this.c, this.d] = state;
    this.spare = state[4] === null || Number.isNaN(state[4]) ? null : state[4]; // NaN comes back from JSON as null
  }
}
