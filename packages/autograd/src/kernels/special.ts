import type { FloatArray } from './dtype.ts';

// Element-wise functions beyond the basic arithmetic: square, log1p, expm1, the error function, and the smooth
// activations built on them (GELU, softplus, ELU), each written as PyTorch computes it.

/** out = x² */
export function square(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * x[i];
  return out;
}

/** out = ln(1 + x), accurate for small x */
export function log1p(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = Math.log1p(x[i]);
  return out;
}

/** out = eˣ − 1, accurate for small x */
export function expm1(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = Math.expm1(x[i]);
  return out;
}

// erf(x) = 2/√π ∫₀ˣ e^{−t²} dt, after fdlibm's s_erf.c (Sun Microsystems, 1993): rational approximations on
// [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35), [1/0.35, 6), and ±1 beyond; error below 1 ulp.
const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
const PP = [
  1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5,
];
const QQ = [
  3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.96022827877536812320e-6,
];
const PA = [
  -2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1,
  3.54783043256182359371e-2, -2.16637559486879084300e-3,
];
const QA = [
  1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2,
  1.19844998467991074170e-2,
];
const RA = [
  -9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2,
  -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592,
];
const SA = [
  1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2,
  1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2,
];
const RB = [
  -9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2,
  -1.02509513161107724954e3, -4.83519191608651397019e2,
];
const SB = [
  3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3,
  4.74528541206955367215e2, -2.24409524465858183362e1,
];

/** c₀ + c₁x + … (Horner) */
function poly(c: readonly number[], x: number): number {
  let s = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) s = s * x + c[i];
  return s;
}

/** 1 + c₀x + c₁x² + … */
function poly1(c: readonly number[], x: number): number {
  return 1 + x * poly(c, x);
}

// x with the low 32 bits of its mantissa cleared (fdlibm's SET_LOW_WORD(z, 0)), so that z² is exact
const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);
const LOW = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
function highPart(x: number): number {
  word[0] = x;
  words[LOW] = 0;
  return word[0];
}

/** The error function of one number. */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 3.7252902984e-9) return x + EFX * x; // |x| < 2⁻²⁸
    const z = x * x;
    return x + x * (poly(PP, z) / poly1(QQ, z));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const v = ERX + poly(PA, s) / poly1(QA, s);
    return x >= 0 ? v : -v;
  }
  if (ax >= 6) return x >= 0 ? 1 : -1;
  const s = 1 / (ax * ax);
  const ratio = ax < 1 / 0.35 ? poly(RA, s) / poly1(SA, s) : poly(RB, s) / poly1(SB, s);
  const z = highPart(ax);
  const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + ratio);
  const v = 1 - r / ax;
  return x >= 0 ? v : -v;
}

/** out = erf(x) */
export function erf(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = erfScalar(x[i]);
  return out;
}

/** GELU's constants for its tanh form: √(2/π) and the cubic's coefficient. */
export const GELU_TANH_BETA = Math.sqrt(2 / Math.PI);
export const GELU_TANH_KAPPA = 0.044715;

/** out = x·Φ(x) = x·½(1 + erf(x/√2)) (exact GELU, PyTorch's default) */
export function gelu(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * 0.5 * (1 + erfScalar(x[i] * Math.SQRT1_2));
  return out;
}

/** out = ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (GELU's tanh approximation, PyTorch's approximate='tanh') */
export function geluTanh(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = 0.5 * v * (1 + Math.tanh(GELU_TANH_BETA * (v + GELU_TANH_KAPPA * v * v * v)));
  }
  return out;
}

/** out = ln(1 + e^{βx})/β, or x itself where βx > threshold (where the two agree to rounding), as in PyTorch */
export function softplus(x: FloatArray, beta: number, threshold: number, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) {
    const bx = x[i] * beta;
    out[i] = bx > threshold ? x[i] : Math.log1p(Math.exp(bx)) / beta;
  }
  return out;
}

/** out = x where x > 0, else α(eˣ − 1) */
export function elu(x: FloatArray, alpha: number, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
  return out;
}
