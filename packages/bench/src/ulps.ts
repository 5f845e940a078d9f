import type { DType } from '@tapegrad/autograd/kernels';

// Distance in ulps (units in the last place): how many representable numbers of the dtype lie between two
// values. The bits of an IEEE float, read as a sign-magnitude integer and mapped to a two's-complement-like
// order, count the representable numbers, so the distance is the difference of those integers; +0 and −0 are
// 0 apart, and a NaN is infinitely far from anything.

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const MAG64 = 0x7fffffffffffffffn;

/** The position of a float32 value on the line of representable float32 numbers (0 for ±0). */
export function orderedFloat32(x: number): number {
  f32[0] = x;
  const i = i32[0];
  return i >= 0 ? i : -2147483648 - i;
}

/** The position of a float64 value on the line of representable float64 numbers (0n for ±0). */
export function orderedFloat64(x: number): bigint {
  f64[0] = x;
  const i = i64[0];
  return i >= 0n ? i : -(i & MAG64);
}

/** Representable float32 numbers between a and b (both are rounded to float32 first). */
export function ulpsFloat32(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(orderedFloat32(a) - orderedFloat32(b));
}

/** Representable float64 numbers between a and b (as a number; exact below 2^53). */
export function ulpsFloat64(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  if (a === b) return 0;
  const d = orderedFloat64(a) - orderedFloat64(b);
  return Number(d < 0n ? -d : d);
}

/** ulp distance in `dtype`. */
export function ulpDistance(a: number, b: number, dtype: DType): number {
  return dtype === 'float32' ? ulpsFloat32(a, b) : ulpsFloat64(a, b);
}

/** A bucket of an ulps histogram: `ulps` is "0", "1", "2", "3–4", "5–8", … or "> 1024", "non-finite". */
export interface UlpsBucket {
  readonly ulps: string;
  readonly count: number;
}

const EDGES = [0, 1, 2, 4, 8, 16, 64, 256, 1024];

/** The label of the bucket of a distance: 0, 1, 2, then (2^k, 2^(k+1)] ranges up to 1024. */
function bucketOf(u: number): string {
  if (!Number.isFinite(u)) return 'non-finite';
  for (let i = 0; i < EDGES.length; i++) {
    if (u <= EDGES[i]) return i <= 2 ? String(EDGES[i]) : `${EDGES[i - 1] + 1}–${EDGES[i]}`;
  }
  return `> ${EDGES[EDGES.length - 1]}`;
}

/** Ulp distances between two engines' symbols of one step (every layer's δ, ∂loss/∂W, ∂loss/∂b), bucketed; every bucket listed. */
export function ulpsHistogram(
  a: { readonly layers: readonly { readonly delta: { readonly data: ArrayLike<number> }; readonly dW: { readonly data: ArrayLike<number> }; readonly db: { readonly data: ArrayLike<number> } }[] },
  b: typeof a,
  dtype: DType,
): UlpsBucket[] {
  const counts = new Map<string, number>(['0', '1', '2', ...EDGES.slice(3).map((e, i) => `${EDGES[i + 2] + 1}–${e}`), `> 1024`, 'non-finite'].map((k) => [k, 0]));
  a.layers.forEach((la, l) => {
    const lb = b.layers[l];
    for (const key of ['delta', 'dW', 'db'] as const) {
      const x = la[key].data;
      const y = lb[key].data;
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const k = bucketOf(ulpDistance(x[i], y[i], dtype));
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
  });
  return [...counts].map(([ulps, count]) => ({ ulps, count }));
}
