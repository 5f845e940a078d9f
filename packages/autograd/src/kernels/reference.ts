// The JS column of the kernel table (table.ts): the plain loops of every kernel that also has a wasm form. They
// define the values; the wasm kernels reproduce them bit for bit (the matrix products: within rounding, their sums
// taken in another order). No dispatch in here, and no import of the table: the kernels that call table rows
// (elementwise.ts, reduce.ts, activations.ts, matmul.ts) live elsewhere, so the table imports these without a cycle.
import type { FloatArray } from './dtype.ts';
import type { NumericArray } from './layout.ts';

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

// The optimizers' updates (optim/*.ts give the formulas), one pass over one parameter's flat buffers: θ, its gradient
// and the optimizer's state, all in place. Each value is computed in float64 and rounded once where it is stored, and
// a stored state value is read back (rounded) before the next formula uses it, as loops over float32 arrays do
// naturally. Adam is the exception: on float32 it computes in float32 throughout, as PyTorch does on float32 tensors,
// so that its wasm form can run four lanes at a time and still give the same bits.

/** The scalars of one Adam/AdamW step t: η/(1 − β₁ᵗ), √(1 − β₂ᵗ), the decay factors. */
export interface AdamScalars {
  /** η / (1 − β₁ᵗ) */
  readonly stepSize: number;
  /** √(1 − β₂ᵗ) */
  readonly bias2Sqrt: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** λ of an L2 penalty added to the gradient (Adam's weight decay); 0 for none. */
  readonly weightDecay: number;
  /** 1 − ηλ of decoupled weight decay θ ← θ (1 − ηλ) (AdamW); 1 for none. */
  readonly decay: number;
  /** −1 to ascend (maximize), else 1: g ← sign · ∇θ. */
  readonly sign: number;
}

/**
 * Adam's update of one parameter, in place (vMax: AMSGrad's running maximum of v, or null):
 *   θ ← θ·decay;  g ← sign·∇θ + λθ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  v̂ ← max(v̂, v) or v
 *   θ ← θ − stepSize · m / (√v̂ / bias2Sqrt + ε)
 * One loop per dtype, so that each sees one kind of array.
 */
export function adamRef(theta: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, s: AdamScalars): FloatArray {
  if (theta instanceof Float32Array) return adamRefF32(theta, grad as Float32Array, m as Float32Array, v as Float32Array, vMax as Float32Array | null, s);
  return adamRefF64(theta, grad as Float64Array, m as Float64Array, v as Float64Array, vMax as Float64Array | null, s);
}

function adamRefF64(theta: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, vMax: Float64Array | null, s: AdamScalars): Float64Array {
  const { stepSize, bias2Sqrt, beta1, beta2, eps, weightDecay, decay, sign } = s;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0; i < theta.length; i++) {
    let th = theta[i];
    let g = sign * grad[i];
    if (decay !== 1) th *= decay;
    else if (weightDecay !== 0) g += weightDecay * th;
    const mi = (m[i] = beta1 * m[i] + c1 * g);
    let vi = (v[i] = beta2 * v[i] + c2 * g * g);
    if (vMax !== null) vi = vMax[i] = Math.max(vMax[i], vi);
    theta[i] = th - stepSize * (mi / (Math.sqrt(vi) / bias2Sqrt + eps));
  }
  return theta;
}

/** adamRefF64 in float32 arithmetic: the scalars rounded to float32, and each operation's result (fr = Math.fround). */
function adamRefF32(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, s: AdamScalars): Float32Array {
  const fr = Math.fround;
  const lr = fr(s.stepSize), bc = fr(s.bias2Sqrt), ep = fr(s.eps), wd = fr(s.weightDecay), dc = fr(s.decay);
  const b1 = fr(s.beta1), c1 = fr(1 - s.beta1), b2 = fr(s.beta2), c2 = fr(1 - s.beta2);
  const sign = s.sign;
  const decays = s.decay !== 1;
  for (let i = 0; i < theta.length; i++) {
    let th = theta[i];
    let g = sign * grad[i];
    if (decays) th = fr(th * dc);
    else if (wd !== 0) g = fr(g + fr(wd * th));
    m[i] = fr(b1 * m[i]) + fr(c1 * g); // a sum of two float32, rounded once by the store
    v[i] = fr(b2 * v[i]) + fr(fr(c2 * g) * g);
    let vi = v[i];
    if (vMax !== null) vi = vMax[i] = Math.max(vMax[i], vi);
    theta[i] = th - fr(lr * fr(m[i] / fr(fr(fr(Math.sqrt(vi)) / bc) + ep)));
  }
  return theta;
}

/** The scalars of one SGD step. */
export interface SgdScalars {
  readonly lr: number;
  /** μ; 0 for none (then the momentum buffer is not touched). */
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  /** −1 to ascend (maximize), else 1. */
  readonly sign: number;
  /** The buffer's first step: b ← g, undamped. */
  readonly first: boolean;
}

/**
 * SGD's update of one parameter, in place (b: the momentum buffer, unused when μ = 0):
 *   g ← sign·∇θ + λθ;  b ← g (first step) or μb + (1 − τ)g;  g ← g + μb (Nesterov) or b;  θ ← θ − ηg
 */
export function sgdRef(theta: FloatArray, grad: FloatArray, b: FloatArray, s: SgdScalars): FloatArray {
  if (theta instanceof Float32Array) return sgdRefF32(theta, grad as Float32Array, b as Float32Array, s);
  return sgdRefF64(theta, grad as Float64Array, b as Float64Array, s);
}

function sgdRefF64(theta: Float64Array, grad: Float64Array, b: Float64Array, s: SgdScalars): Float64Array {
  const { lr, momentum, dampening, weightDecay, nesterov, sign, first } = s;
  const n = theta.length;
  if (momentum === 0) {
    if (weightDecay === 0) {
      for (let i = 0; i < n; i++) theta[i] -= lr * (sign * grad[i]);
    } else {
      for (let i = 0; i < n; i++) theta[i] -= lr * (sign * grad[i] + weightDecay * theta[i]);
    }
    return theta;
  }
  const c = 1 - dampening;
  for (let i = 0; i < n; i++) {
    let g = sign * grad[i];
    if (weightDecay !== 0) g += weightDecay * theta[i];
    b[i] = first ? g : momentum * b[i] + c * g;
    theta[i] -= lr * (nesterov ? g + momentum * b[i] : b[i]);
  }
  return theta;
}

/**
 * sgdRefF64 in float32 arithmetic, as PyTorch updates a float32 parameter: the scalars rounded to float32, and each
 * operation's result (fr = Math.fround; the sign ±1 is exact).
 */
function sgdRefF32(theta: Float32Array, grad: Float32Array, b: Float32Array, s: SgdScalars): Float32Array {
  const fr = Math.fround;
  const lr = fr(s.lr), mu = fr(s.momentum), c = fr(1 - s.dampening), wd = fr(s.weightDecay);
  const { sign, first, nesterov } = s;
  const momentum = s.momentum !== 0, l2 = s.weightDecay !== 0;
  for (let i = 0; i < theta.length; i++) {
    let g = sign * grad[i];
    if (l2) g = fr(g + fr(wd * theta[i]));
    if (momentum) {
      b[i] = first ? g : fr(mu * b[i]) + fr(c * g); // a sum of two float32, rounded once by the store
      g = nesterov ? fr(g + fr(mu * b[i])) : b[i];
    }
    theta[i] -= fr(lr * g); // θ − ηg of two float32, rounded once by the store
  }
  return theta;
}

/** The scalars of one RMSprop step. */
export interface RmspropScalars {
  readonly lr: number;
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** μ; 0 for none. */
  readonly momentum: number;
  readonly sign: number;
}

/**
 * RMSprop's update of one parameter, in place (gAvg: the centered variant's mean gradient, or null; b: the momentum
 * buffer, unused when μ = 0):
 *   g ← sign·∇θ + λθ;  v ← αv + (1 − α)g²;  ḡ ← αḡ + (1 − α)g;  s ← √(v − ḡ²) + ε  (or √v + ε)
 *   b ← μb + g/s, θ ← θ − ηb  (or θ ← θ − η g/s)
 */
export function rmspropRef(theta: FloatArray, grad: FloatArray, v: FloatArray, gAvg: FloatArray | null, b: FloatArray, s: RmspropScalars): FloatArray {
  const { lr, alpha, eps, weightDecay, momentum, sign } = s;
  const c = 1 - alpha;
  for (let i = 0; i < theta.length; i++) {
    let g = sign * grad[i];
    if (weightDecay !== 0) g += weightDecay * theta[i];
    v[i] = alpha * v[i] + c * g * g;
    let d: number;
    if (gAvg !== null) {
      gAvg[i] = alpha * gAvg[i] + c * g;
      d = Math.sqrt(v[i] - gAvg[i] * gAvg[i]) + eps;
    } else {
      d = Math.sqrt(v[i]) + eps;
    }
    if (momentum > 0) {
      b[i] = momentum * b[i] + g / d;
      theta[i] -= lr * b[i];
    } else {
      theta[i] -= lr * (g / d);
    }
  }
  return theta;
}

/** Adagrad's update of one parameter, in place: g ← sign·∇θ + λθ;  G ← G + g²;  θ ← θ − η_t g / (√G + ε) */
export function adagradRef(theta: FloatArray, grad: FloatArray, G: FloatArray, lr: number, eps: number, weightDecay: number, sign: number): FloatArray {
  for (let i = 0; i < theta.length; i++) {
    let g = sign * grad[i];
    if (weightDecay !== 0) g += weightDecay * theta[i];
    G[i] += g * g;
    theta[i] -= lr * (g / (Math.sqrt(G[i]) + eps));
  }
  return theta;
}

/**
 * Rows of a row-major x (each `width` values) gathered by index into out, which it returns: row r of out is row
 * index[start + r] of x, for r < count (indices checked by the caller). Rows of 16 values or more are block copies
 * (TypedArray.set: 128 rows of 784 float32 in ~0.07 ms here, a third of an element loop's time).
 */
export function gatherRowsRef<A extends NumericArray>(x: A, width: number, index: ArrayLike<number>, start: number, count: number, out: A): A {
  for (let r = 0; r < count; r++) {
    const from = index[start + r] * width;
    if (width >= 16) out.set(x.subarray(from, from + width) as never, r * width);
    else for (let j = 0; j < width; j++) out[r * width + j] = x[from + j];
  }
  return out;
}
