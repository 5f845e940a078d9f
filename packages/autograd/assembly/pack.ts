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
 * Transposing copy of R full rows (row stride ldBytes) of kc values each, starting at src, into dst
 * where step p holds column p's R values contiguously (R·size = 16 or 32 bytes). Whole 4×4 (f32)
 * or 2×2 (f64) blocks go through v128 shuffles; the remainder of kc is copied one value at a time.
 */
function packRows<T>(src: usize, ldBytes: usize, R: i32, kc: i32, dst: usize): void {
  const size = sizeof<T>();
  const step = <usize>R * size;
  const L = <i32>(<usize>16 / size); // values per vector: the block is L×L
  const whole = kc - kc % L;
  for (let g = 0; g < R; g += L) {
    const row = src + <usize>g * ldBytes;
    const out = dst + <usize>g * size;
    for (let p = 0; p < whole; p += L) {
      const at = row + <usize>p * size;
      const d = out + <usize>p * step;
      if (size == 4) {
        const r0 = v128.load(at), r1 = v128.load(at + ldBytes);
        const r2 = v128.load(at + 2 * ldBytes), r3 = v128.load(at + 3 * ldBytes);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(d + step, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
        v128.store(d + 2 * step, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
        v128.store(d + 3 * step, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
      } else {
        const r0 = v128.load(at), r1 = v128.load(at + ldBytes);
        v128.store(d, i64x2.shuffle(r0, r1, 0, 2));
        v128.store(d + step, i64x2.shuffle(r0, r1, 1, 3));
      }
    }
    for (let r = 0; r < L; r++) {
      for (let p = whole; p < kc; p++) store<T>(out + <usize>p * step + <usize>r * size, load<T>(row + <usize>r * ldBytes + <usize>p * size));
    }
  }
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
    } else if (mr == MR) {
      // A: MR rows, each contiguous in p: a transposing copy.
      packRows<T>(a + (<usize>(i0 + ir) * lda + p0) * size, <usize>lda * size, MR, kc, dst);
      dst += <usize>kc * panelRow;
    } else {
      // A, last partial panel: walk each row contiguously, writing it with stride MR, zeros below.
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
    } else if (cols == NR) {
      // Bᵀ: NR rows of b, each contiguous in p: a transposing copy.
      packRows<T>(b + (<usize>(j0 + jr) * ldb + p0) * size, <usize>ldb * size, NR, kc, dst);
      dst += <usize>kc * 32;
    } else {
      // Bᵀ, last partial panel: walk each row of b contiguously, writing it with stride NR.
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
