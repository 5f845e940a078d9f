import type { FloatArray } from './dtype.ts';

// Reference matrix products on flat row-major buffers. Each writes (overwrites) `out` (m × n).
// The three forms cover every product backprop needs, so no transpose is ever materialised:
//   A·B      forward z = a W
//   Aᵀ·B     weight gradient (a^{l-1})ᵀ δ^l
//   A·Bᵀ     error passed down δ^l (W^l)ᵀ
// The loops run i-p-j so the innermost loop walks both `b` and `out` contiguously.

/** out (m×n) = a (m×k) · b (k×n) */
export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) out[oi + j] += aip * b[bp + j];
    }
  }
  return out;
}

/** out (m×n) = aᵀ · b, where a is stored k×m and b is k×n */
export function matmulTN(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
  out.fill(0);
  for (let p = 0; p < k; p++) {
    const ap = p * m;
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const api = a[ap + i];
      if (api === 0) continue;
      const oi = i * n;
      for (let j = 0; j < n; j++) out[oi + j] += api * b[bp + j];
    }
  }
  return out;
}

/** out (m×n) = a · bᵀ, where a is stored m×k and b is n×k */
export function matmulNT(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): FloatArray {
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
