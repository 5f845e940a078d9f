import { activationByName, isFusedActivation } from './activations.ts';
import type { FusedActivation } from './activations.ts';
import type { FloatArray } from './dtype.ts';
import { formatValue } from './format.ts';
import { checkLengths, KERNEL_TABLE, kernels } from './table.ts';

// Matrix products on flat row-major buffers. Each writes (overwrites) `out` (m × n).
// The three forms cover every product backprop needs, so no transpose is ever materialised:
//   A·B      forward z = a W
//   Aᵀ·B     weight gradient (a^{l-1})ᵀ δ^l
//   A·Bᵀ     error passed down δ^l (W^l)ᵀ
// Each is a row of the kernel table (table.ts): the SIMD WebAssembly kernels for all but small products on the
// wasm backend, else the reference loops (reference.ts), which define the semantics and stay the portable fallback.
// `matmulRef*` (reference.ts) and `matmulWasm*` (below) pin one backend, for tests and benchmarks.

/** out (m×n) = a (m×k) · b (k×n) */
export const matmul = kernels.matmul;

/** out (m×n) = aᵀ · b, where a is stored k×m and b is k×n */
export const matmulTN = kernels.matmulTN;

/** out (m×n) = a · bᵀ, where a is stored m×k and b is n×k */
export const matmulNT = kernels.matmulNT;

/**
 * out (m×n) = a (m×k) · b (k×n) + bias, the bias row (n) added to every row: a layer's z = a W + b in one call.
 * Exactly `addRow(matmul(a, b, out, …), bias, out, m, n)`; on the wasm backend the bias is added inside the module,
 * before the product is copied out, which saves a pass over the output.
 */
export const matmulBias = kernels.matmulBias;

/**
 * out (m×n) = act(a (m×k) · b (k×n) + bias): a layer's a = act(a W + b) in one call, z never leaving it. Exactly
 * `act.f(matmulBias(…))`; on the wasm backend ReLU is applied inside the module too, before the copy out.
 */
export function matmulBiasAct(
  a: FloatArray, b: FloatArray, bias: FloatArray, act: FusedActivation, out: FloatArray, m: number, k: number, n: number,
): FloatArray {
  checkLengths('matmulBiasAct', a, b, out, m * k, k * n, m * n);
  if (bias.length < n) throw new RangeError(`matmulBiasAct: bias too short: it has ${bias.length} (needs ${n})`);
  if (!isFusedActivation(act)) throw new Error(`matmulBiasAct: activation ${formatValue(act)}; expected relu, sigmoid or tanh`);
  if (act === 'relu') return kernels.matmulBiasRelu(a, b, bias, out, m, k, n);
  matmulBias(a, b, bias, out, m, k, n);
  const z = out.length === m * n ? out : out.subarray(0, m * n);
  activationByName(act).f(z, z); // in place: each entry is read, then written
  return out;
}

/** `matmul` on the wasm backend whatever the size; throws if the backend is unavailable. */
export const matmulWasm = onWasm(KERNEL_TABLE.matmul);

/** `matmulTN` on the wasm backend whatever the size; throws if the backend is unavailable. */
export const matmulWasmTN = onWasm(KERNEL_TABLE.matmulTN);

/** `matmulNT` on the wasm backend whatever the size; throws if the backend is unavailable. */
export const matmulWasmNT = onWasm(KERNEL_TABLE.matmulNT);

type Product = typeof matmul;

function onWasm(r: { check?: (...args: Parameters<Product>) => void; wasm?: Product }): Product {
  const { check, wasm } = r as Required<typeof r>;
  return (a, b, out, m, k, n) => {
    check(a, b, out, m, k, n);
    return wasm(a, b, out, m, k, n);
  };
}
