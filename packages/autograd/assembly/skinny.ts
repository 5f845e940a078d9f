// Direct products for skinny shapes: C = op(A)·op(B) without packing, when k is a handful of steps
// (z = a W + b on a 2-input layer; δ = δ'·Wᵀ behind a 10-class output layer) or C has only a few
// rows (∂L/∂W = aᵀ·δ of a 2-input layer).
//
// Why: the blocked driver (gemm.ts) first copies all of op(A) and op(B) into micro-panels, then runs
// 4×8 tiles whose loop over k is a few steps long: for these shapes the copies and the per-tile
// set-up cost more than the multiply-adds (spiral's 256×2×64 ran at 4 GFLOP/s). Here each block of
// 2 rows × 4 vectors of C is summed straight from the operands: per step p, one broadcast of
// op(A)[i, p] per row and the 4 vectors of row p of op(B), which must be contiguous; when op(B) = Bᵀ
// it is first gathered into `work` as k×n rows (k·n values, against m·k·n multiply-adds).
//
// Each element's sum runs over p in order, from 0, in one accumulator, whichever rows or columns a
// thread's chunk holds: so a product gives the same bits on one thread or several.

import { madd } from './micro-kernels';

/**
 * Whether gemm.ts takes the direct path for this product: few steps of k or few rows of C, enough
 * columns to fill a block, and (for op(B) = Bᵀ) room in `workBytes` for op(B) gathered.
 */
export function isSkinny<T>(transB: bool, m: i32, n: i32, k: i32, workBytes: usize): bool {
  const lanes = 16 / sizeof<T>();
  if (n < 2 * lanes) return false;
  if (!(k <= 16 || m <= 4)) return false;
  return !transB || <usize>k * <usize>n * sizeof<T>() <= workBytes;
}

/** C (m×n, row stride ldc) = op(A)·op(B) by the direct path; arguments as gemmF32 in gemm.ts, k ≥ 1. */
export function skinny<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
): void {
  const size = sizeof<T>();
  // op(A)[i, p] is at a + i·rowA + p·stepA
  const rowA: usize = transA ? size : <usize>lda * size;
  const stepA: usize = transA ? <usize>lda * size : size;
  let rowB: usize = <usize>ldb * size;
  if (transB) {
    // op(B)[p, j] = b[j·ldb + p]: gathered into work as row p, column j
    for (let j = 0; j < n; j++) {
      let src = b + <usize>j * rowB;
      let dst = work + <usize>j * size;
      for (let p = 0; p < k; p++) {
        store<T>(dst, load<T>(src));
        src += size;
        dst += <usize>n * size;
      }
    }
    b = work;
    rowB = <usize>n * size;
  }
  const rowC = <usize>ldc * size;
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const ai = a + <usize>i * rowA;
    const ci = c + <usize>i * rowC;
    rowPair<T>(n, k, ai, ai + rowA, stepA, b, rowB, ci, ci + rowC, true);
  }
  if (i < m) {
    // a last odd row: computed twice, stored once
    const ai = a + <usize>i * rowA;
    const ci = c + <usize>i * rowC;
    rowPair<T>(n, k, ai, ai, stepA, b, rowB, ci, ci, false);
  }
}

/**
 * Rows of C at c0 and c1 (the second stored only if `both`) from the rows of op(A) at a0 and a1
 * (step stepA per p) and op(B) (rows rowB apart): 4 vectors of columns at a time, then one vector,
 * then single columns, each through a vector lane so that it rounds as the others do.
 */
function rowPair<T>(n: i32, k: i32, a0: usize, a1: usize, stepA: usize, b: usize, rowB: usize, c0: usize, c1: usize, both: bool): void {
  const size = sizeof<T>();
  const lanes = <i32>(16 / size);
  const zero = v128.splat<T>(<T>0);
  let j = 0;
  for (; j + 4 * lanes <= n; j += 4 * lanes) {
    let x0 = zero, x1 = zero, x2 = zero, x3 = zero;
    let y0 = zero, y1 = zero, y2 = zero, y3 = zero;
    let pa0 = a0, pa1 = a1;
    let pb = b + <usize>j * size;
    for (let p = 0; p < k; p++) {
      const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
      let s = v128.load_splat<T>(pa0);
      x0 = madd<T>(s, b0, x0);
      x1 = madd<T>(s, b1, x1);
      x2 = madd<T>(s, b2, x2);
      x3 = madd<T>(s, b3, x3);
      s = v128.load_splat<T>(pa1);
      y0 = madd<T>(s, b0, y0);
      y1 = madd<T>(s, b1, y1);
      y2 = madd<T>(s, b2, y2);
      y3 = madd<T>(s, b3, y3);
      pa0 += stepA;
      pa1 += stepA;
      pb += rowB;
    }
    const o0 = c0 + <usize>j * size;
    v128.store(o0, x0); v128.store(o0, x1, 16); v128.store(o0, x2, 32); v128.store(o0, x3, 48);
    if (both) {
      const o1 = c1 + <usize>j * size;
      v128.store(o1, y0); v128.store(o1, y1, 16); v128.store(o1, y2, 32); v128.store(o1, y3, 48);
    }
  }
  for (; j + lanes <= n; j += lanes) narrow<T>(true, k, a0, a1, stepA, b + <usize>j * size, rowB, c0 + <usize>j * size, c1 + <usize>j * size, both);
  for (; j < n; j++) narrow<T>(false, k, a0, a1, stepA, b + <usize>j * size, rowB, c0 + <usize>j * size, c1 + <usize>j * size, both);
}

/** One vector of columns of the two rows (`whole`), or a single column through lane 0. */
// @ts-ignore: decorator
@inline function narrow<T>(whole: bool, k: i32, a0: usize, a1: usize, stepA: usize, pb: usize, rowB: usize, o0: usize, o1: usize, both: bool): void {
  let x = v128.splat<T>(<T>0), y = x;
  for (let p = 0; p < k; p++) {
    const bv = whole ? v128.load(pb) : v128.load_splat<T>(pb);
    x = madd<T>(v128.load_splat<T>(a0), bv, x);
    y = madd<T>(v128.load_splat<T>(a1), bv, y);
    a0 += stepA;
    a1 += stepA;
    pb += rowB;
  }
  if (whole) {
    v128.store(o0, x);
    if (both) v128.store(o1, y);
  } else {
    store<T>(o0, v128.extract_lane<T>(x, 0));
    if (both) store<T>(o1, v128.extract_lane<T>(y, 0));
  }
}
