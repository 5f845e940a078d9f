import { activationByName, isFusedActivation } from './activations.ts';
import type { FusedActivation } from './activations.ts';
import { gemmDispatch, gemmWasm } from './backend.ts';
import type { FloatArray } from './dtype.ts';
import { addRow } from './elementwise.ts';

// Matrix products on flat row-major buffers. Each writes (overwrites) `out` (m × n).
// The three forms cover every product backprop needs, so no transpose is ever materialised:
//   A·B      forward z = a W
//   Aᵀ·B     weight gradient (a^{l-1})ᵀ δ^l
//   A·Bᵀ     error passed down δ^l (W^l)ᵀ
// `matmul`, `matmulTN`, `matmulNT` dispatch on the kernel backend (backend.ts): the SIMD
// WebAssembly kernels for all but small products, else the reference kernels below, which define
// the semantics and stay the portable fallback. `matmulRef*` and `matmulWasm*` pin one backend.

function checkLengths(op: string, a: FloatArray, b: FloatArray, out: FloatArray, aLen: number, bLen: number, outLen: number): void {
  if (a.length < aLen || b.length < bLen || out.length < outLen) {
    throw new RangeError(
      `${op}: buffers too short: a has ${a.length} (needs ${aLen}), b has ${b.length} (needs ${bLen}), out has ${out.length} (needs ${outLen})`,
    );
  }
}

/** out (m×n) = a (m×k) · b (k×n) */
export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  checkLengths('matmul', a, b, out, m * k, k * n, m * n);
  return gemmDispatch(false, false, a, b, out, m, k, n) ? out : matmulRef(a, b, out, m, k, n);
}

/**
 * out (m×n) = a (m×k) · b (k×n) + bias, the bias row (n) added to every row: a layer's z = a W + b in one call.
 * Exactly `addRow(matmul(a, b, out, …), bias, out, m, n)`; on the wasm backend the bias is added inside the module,
 * before the product is copied out, which saves a pass over the output.
 */
export function matmulBias(a: FloatArray, b: FloatArray, bias: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  checkLengths('matmulBias', a, b, out, m * k, k * n, m * n);
  if (bias.length < n) throw new RangeError(`matmulBias: bias too short: it has ${bias.length} (needs ${n})`);
  return gemmDispatch(false, false, a, b, out, m, k, n, bias) ? out : addRow(matmulRef(a, b, out, m, k, n), bias, out, m, n);
}

/**
 * out (m×n) = act(a (m×k) · b (k×n) + bias): a layer's a = act(a W + b) in one call, z never leaving it. Exactly
 * `act.f(matmulBias(…))`; on the wasm backend ReLU is applied inside the module too, before the copy out.
 */
export function matmulBiasAct(
  a: FloatArray, b: FloatArray, bias: FloatArray, act: FusedActivation, out: FloatArray, m: number, k: number, n: number,
): FloatArray {
  checkLengths('matmulBiasAct', a, b, out, m * k, k * n, m * n);
  if (bias.length < n) throw new RangeError(`matmulBiasAct: bias too short: it has ${bias.length} (needs ${n})`);
  if (!isFusedActivation(act)) throw new Error(`matmulBiasAct: activation ${JSON.stringify(act)}; expected relu, sigmoid or tanh`);
  if (act === 'relu' && gemmDispatch(false, false, a, b, out, m, k, n, bias, true)) return out;
  matmulBias(a, b, bias, out, m, k, n);
  const z = out.length === m * n ? out : out.subarray(0, m * n);
  activationByName(act).f(z, z); // in place: each entry is read, then written
  return out;
}

/** out (m×n) = aᵀ · b, where a is stored k×m and b is k×n */
export function matmulTN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  checkLengths('matmulTN', a, b, out, k * m, k * n, m * n);
  return gemmDispatch(true, false, a, b, out, m, k, n) ? out : matmulRefTN(a, b, out, m, k, n);
}

/** out (m×n) = a · bᵀ, where a is stored m×k and b is n×k */
export function matmulNT(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  checkLengths('matmulNT', a, b, out, m * k, n * k, m * n);
  return gemmDispatch(false, true, a, b, out, m, k, n) ? out : matmulRefNT(a, b, out, m, k, n);
}

/** `matmul` on the wasm backend whatever the size; throws if the backend is unavailable. */
export function matmulWasm(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  checkLengths('matmulWasm', a, b, out, m * k, k * n, m * n);
  gemmWasm(false, false, a, b, out, m, k, n);
  return out;
}

/** `matmulTN` on the wasm backend whatever the size; throws if the backend is unavailable. */
export function matmulWasmTN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  checkLengths('matmulWasmTN', a, b, out, k * m, k * n, m * n);
  gemmWasm(true, false, a, b, out, m, k, n);
  return out;
}

/** `matmulNT` on the wasm backend whatever the size; throws if the backend is unavailable. */
export function matmulWasmNT(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  checkLengths('matmulWasmNT', a, b, out, m * k, n * k, m * n);
  gemmWasm(false, true, a, b, out, m, k, n);
  return out;
}

// Reference kernels. The loops run i-p-j so the innermost loop walks both `b` and `out` contiguously.
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
