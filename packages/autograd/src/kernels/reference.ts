// The JS column of the kernel table (table.ts): the plain loops of every kernel that also has a wasm form. They
// define the values; the wasm kernels reproduce them bit for bit (the matrix products: within rounding, their sums
// taken in another order). No dispatch in here, and no import of the table: the kernels that call table rows
// (elementwise.ts, reduce.ts, activations.ts, matmul.ts) live elsewhere, so the table imports these without a cycle.
import type { FloatArray } from './dtype.ts';

// Matrix products. The loops run i-p-j so the innermost loop walks both `b` and `out` contiguously.
// No shortcut for zero entries of `a`: 0·∞ and 0·NaN must give NaN, as in every other backend.
// `out` is zeroed by a loop rather than fill(): on the small products that run here, the builtin's call cost
// as much as the product.

/** Reference out (m×n) = a (m×k) · b (k×n) */
export function matmulRef(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  for (let i = 0; i < m * n; i++) out[i] = 0;
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) out[oi + j] += aip * b[bp + j];
    }
  }
  return out;
}

/** Reference out (m×n) = aᵀ · b, where a is stored k×m and b is k×n */
export function matmulRefTN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  for (let i = 0; i < m * n; i++) out[i] = 0;
  for (let p = 0; p < k; p++) {
    const ap = p * m;
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const api = a[ap + i];
      const oi = i * n;
      for (let j = 0; j < n; j++) out[oi + j] += api * b[bp + j];
    }
  }
  return out;
}

/** Reference out (m×n) = a · bᵀ, where a is stored m×k and b is n×k */
export function matmulRefNT(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Reference y += a · x, the definition the wasm loop reproduces bit for bit (float32: rounded once, from float64). */
export function axpyRef(a: number, x: FloatArray, y: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
  return y;
}

/** out = x ⊙ y (same length) */
export function hadamardRef(x: FloatArray, y: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * y[i];
  return out;
}

/** out (rows × cols) = x + bias, the bias row added to every row: z = a W + b */
export function addRowRef(x: FloatArray, bias: FloatArray, out: FloatArray, rows: number, cols: number): FloatArray {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j] + bias[j];
  }
  return out;
}

/** out (cols) = Σ_rows x, the column sums of a rows × cols matrix: ∂loss/∂b = Σ_k δ_k */
export function sumRowsRef(x: FloatArray, out: FloatArray, rows: number, cols: number): FloatArray {
  for (let j = 0; j < cols; j++) out[j] = 0; // a loop: fill()'s call costs more than a bias row
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[j] += x[o + j];
  }
  return out;
}

// The rectifiers compute z > 0 ? … : … without a branch: m = +(z > 0) is 1 or 0 and selects by multiplication. With
// z's signs random (as in a freshly initialised layer) a branch is mispredicted half the time, which made these loops
// ~4× slower than a plain product. Every value, -0, NaN and ±∞ included, is the same as the ternary's.

/**
 * out = relu(z) = z > 0 ? z : 0. z·m + 0 turns the −0 of a negative z into +0; it is NaN only for z = NaN or −∞,
 * which the (predictable) check maps to 0 as the ternary does.
 */
export function reluRef(z: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < z.length; i++) {
    const v = z[i];
    const r = v * +(v > 0) + 0;
    out[i] = r === r ? r : 0;
  }
  return out;
}

/** out = relu'(z) = z > 0 ? 1 : 0; the value at exactly 0 is 0, as in PyTorch */
export function reluGradRef(z: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < z.length; i++) out[i] = +(z[i] > 0);
  return out;
}

/** out = g ⊙ (1 if z > 0 else slope): (leaky) ReLU's derivative applied to g; slope 0 is ReLU's */
export function stepGradRef(g: FloatArray, z: FloatArray, slope: number, out: FloatArray): FloatArray {
  if (Object.is(slope, -0)) {
    // m + (1 − m)·slope would turn a slope of −0 into +0
    for (let i = 0; i < g.length; i++) out[i] = z[i] > 0 ? g[i] : slope * g[i];
    return out;
  }
  // z > 0 ? g : slope·g without a branch (see reluRef): g·1 or g·slope exactly
  for (let i = 0; i < g.length; i++) {
    const m = +(z[i] > 0);
    out[i] = g[i] * (m + (1 - m) * slope);
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Whether x[0..n) holds no NaN and no ±Infinity: the values whose exponent bits are all ones. Read as integers,
 * (bits & exponentMask) + exponentLsb carries into the sign bit exactly for those, so OR-ing that over the array
 * sets the sign bit iff one is there. Integer ops with no float conversion and no branch: 0.7 ns an element here,
 * against 1.3 for a Number.isFinite loop (100K float32, node, this machine), and it runs on every batch a
 * ManualMLP is given. Float64 is tested on the high word of each value. The wasm form scans 4 lanes at a time
 * (~0.4 ns an element with the copy in).
 */
export function allFiniteRef(x: FloatArray, n = x.length): boolean {
  if (!LITTLE_ENDIAN) return firstNonFiniteIn(x, n) < 0;
  const f32 = x instanceof Float32Array;
  const words = new Int32Array(x.buffer, x.byteOffset, f32 ? n : 2 * n);
  const mask = f32 ? 0x7f800000 : 0x7ff00000;
  const lsb = f32 ? 0x00800000 : 0x00100000;
  const first = f32 ? 0 : 1; // float64: the high word of each value, which holds its exponent
  const step = f32 ? 1 : 2;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const end = words.length;
  let i = first;
  // four independent accumulators, so no OR waits on the one before it
  for (; i + 3 * step < end; i += 4 * step) {
    a0 |= (words[i] & mask) + lsb;
    a1 |= (words[i + step] & mask) + lsb;
    a2 |= (words[i + 2 * step] & mask) + lsb;
    a3 |= (words[i + 3 * step] & mask) + lsb;
  }
  for (; i < end; i += step) a0 |= (words[i] & mask) + lsb;
  return (a0 | a1 | a2 | a3) >= 0;
}

/** Index of the first NaN or ±Infinity among x[0..n), or −1 when all are finite. */
export function firstNonFiniteIn(x: FloatArray, n: number): number {
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}
