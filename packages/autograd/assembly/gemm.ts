// GEMM driver: C (m×n, row stride ldc) = op(A) · op(B), op(A) m×k, op(B) k×n, all row-major.
//
// The BLIS loop nest. jc cuts n into NC-wide column blocks, pc cuts k into KC-deep slices; each
// KC×NC block of op(B) is packed once (≈1 MiB: L2) and reused against every MC×KC block of op(A)
// (128 KiB packed: L2), whose 4-row micro-panels (KC·16 or KC·32 bytes) stay in L1 while the
// micro-kernel sweeps the B micro-panels. The first KC-slice overwrites C, later ones accumulate,
// so C needs no zeroing pass. Partial tiles at the right and bottom edges go through a scratch tile.

import { kernelF32, kernelF64 } from './micro-kernels';
import { MR, nr, packA, packB } from './pack';

// @ts-ignore: decorator
@inline const KC: i32 = 256;
// @ts-ignore: decorator
@inline const MC: i32 = 128;
// KC·NC·size = 2 MiB for both types.
// @ts-ignore: decorator
@inline function ncOf<T>(): i32 {
  return sizeof<T>() == 4 ? 2048 : 1024;
}

/** Bytes of private scratch one GEMM call needs at `work`: packed A block, packed B block, an edge tile. */
export function gemmWorkBytes(): i32 {
  return max((MC * KC + KC * ncOf<f32>() + MR * nr<f32>()) * 4, (MC * KC + KC * ncOf<f64>() + MR * nr<f64>()) * 8);
}

function gemm<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const size = sizeof<T>();
  const ldcBytes = <usize>ldc * size;
  if (k <= 0) {
    for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcBytes, 0, <usize>n * size);
    return;
  }
  const NR = nr<T>();
  const NC = ncOf<T>();
  const pa = work;
  const pb = pa + <usize>(MC * KC) * size;
  const tile = pb + <usize>(KC * NC) * size;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0;
      packB<T>(transB, b, ldb, pc, jc, kc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA<T>(transA, a, lda, ic, pc, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const panelB = pb + <usize>(jr * kc) * size;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const panelA = pa + <usize>(ir * kc) * size;
            const cij = c + <usize>(ic + ir) * ldcBytes + <usize>(jc + jr) * size;
            if (rows == MR && cols == NR) {
              if (size == 4) kernelF32(kc, panelA, panelB, cij, ldcBytes, accumulate);
              else kernelF64(kc, panelA, panelB, cij, ldcBytes, accumulate);
            } else {
              // Edge: compute the whole tile into scratch, then copy (or add) its valid rows × cols.
              if (size == 4) kernelF32(kc, panelA, panelB, tile, 32, false);
              else kernelF64(kc, panelA, panelB, tile, 32, false);
              for (let r = 0; r < rows; r++) {
                const row = cij + <usize>r * ldcBytes;
                const t = tile + <usize>r * 32;
                for (let s = 0; s < cols; s++) {
                  const v = load<T>(t + <usize>s * size);
                  store<T>(row + <usize>s * size, accumulate ? load<T>(row + <usize>s * size) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * float32 C = op(A)·op(B). transA: A is stored k×m (op(A) = Aᵀ); transB: B is stored n×k.
 * Addresses are bytes, leading dimensions are elements; `work` is gemmWorkBytes() of scratch
 * private to the calling thread.
 */
export function gemmF32(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
): void {
  gemm<f32>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work);
}

/** float64 C = op(A)·op(B); arguments as gemmF32. */
export function gemmF64(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
): void {
  gemm<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work);
}
