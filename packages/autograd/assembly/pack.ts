// Packing: copy a block of op(A) or op(B) into the contiguous micro-panels the micro-kernels read.
//
// This is where the transposes live. The micro-kernel always reads, per step p of k, MR values of
// op(A) and NR values of op(B) from consecutive addresses; packing gathers them from whichever
// layout the operand has, so Aᵀ·B and A·Bᵀ cost no more than A·B and no transpose is materialised.
// Panels past the matrix edge are zero-padded, so the micro-kernel never needs a remainder loop.
//
// Generic over the element type T (f32 or f64): MR is 4 rows for both, and a B panel row is always
// 32 bytes (NR = 8 floats or 4 doubles), so the fast paths are the same v128 copies for both.

// @ts-ignore: decorator
@inline export const MR: i32 = 4;

/** Columns per B micro-panel: 32 bytes' worth of T. */
// @ts-ignore: decorator
@inline export function nr<T>(): i32 {
  return 32 / sizeof<T>();
}

/**
 * Packs rows [i0, i0+mc) × columns [p0, p0+kc) of op(A) into MR-row micro-panels: panel q holds,
 * for p = 0..kc-1, the MR values op(A)[i0+q·MR .. +MR, p0+p] at dst + (q·kc + p)·MR·size.
 * op(A)[i, p] is a[i·lda + p], or a[p·lda + i] when `trans`.
 */
export function packA<T>(trans: bool, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const size = sizeof<T>();
  const panelRow = <usize>MR * size;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    if (trans) {
      // Aᵀ: the MR values for one p are consecutive in memory.
      let src = a + (<usize>p0 * lda + i0 + ir) * size;
      const step = <usize>lda * size;
      if (mr == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          if (size == 8) v128.store(dst, v128.load(src, 16), 16);
          src += step;
          dst += panelRow;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<T>(dst + <usize>r * size, r < mr ? load<T>(src + <usize>r * size) : <T>0);
          src += step;
          dst += panelRow;
        }
      }
    } else {
      // A: walk each row contiguously, writing it with stride MR.
      for (let r = 0; r < MR; r++) {
        let d = dst + <usize>r * size;
        if (r < mr) {
          let src = a + (<usize>(i0 + ir + r) * lda + p0) * size;
          for (let p = 0; p < kc; p++) {
            store<T>(d, load<T>(src));
            src += size;
            d += panelRow;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            store<T>(d, <T>0);
            d += panelRow;
          }
        }
      }
      dst += <usize>kc * panelRow;
    }
  }
}

/**
 * Packs rows [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-column micro-panels: panel q holds,
 * for p = 0..kc-1, the NR values op(B)[p0+p, j0+q·NR .. +NR] at dst + (q·kc + p)·32.
 * op(B)[p, j] is b[p·ldb + j], or b[j·ldb + p] when `trans`.
 */
export function packB<T>(trans: bool, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const size = sizeof<T>();
  const NR = nr<T>();
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (!trans) {
      // B: the NR values for one p are consecutive in memory.
      let src = b + (<usize>p0 * ldb + j0 + jr) * size;
      const step = <usize>ldb * size;
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += step;
          dst += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let s = 0; s < NR; s++) store<T>(dst + <usize>s * size, s < cols ? load<T>(src + <usize>s * size) : <T>0);
          src += step;
          dst += 32;
        }
      }
    } else {
      // Bᵀ: walk each row of b contiguously, writing it with stride NR.
      for (let s = 0; s < NR; s++) {
        let d = dst + <usize>s * size;
        if (s < cols) {
          let src = b + (<usize>(j0 + jr + s) * ldb + p0) * size;
          for (let p = 0; p < kc; p++) {
            store<T>(d, load<T>(src));
            src += size;
            d += 32;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            store<T>(d, <T>0);
            d += 32;
          }
        }
      }
      dst += <usize>kc * 32;
    }
  }
}
