// GEMM driver: C (m×n, row stride ldc) = op(A) · op(B), op(A) m×k, op(B) k×n, all row-major.
//
// The BLIS loop nest. jc cuts n into NC-wide column blocks, pc cuts k into KC-deep slices; each
// KC×NC block of op(B) is packed once (≈1 MiB: L2) and reused against every MC×KC block of op(A)
// (128 KiB packed: L2), whose 4-row micro-panels (KC·16 or KC·32 bytes) stay in L1 while the
// micro-kernel sweeps the B micro-panels. The first KC-slice overwrites C, later ones accumulate,
// so C needs no zeroing pass. Partial tiles at the right and bottom edges go through a scratch tile.
// Skinny products (k ≤ 16 steps, or at most 4 rows of C) skip the packing: see skinny.ts.
// A float32 micro-panel of A leaves out the steps of k where it holds four zeros (zero-steps.ts): the same bits.

import { kernelF32, kernelF32Steps, kernelF64 } from './micro-kernels';
import { MR, nr, packA, packB } from './pack';
import { isSkinny, skinny } from './skinny';
import { compactSteps, countSteps, finiteF32 } from './zero-steps';

// @ts-ignore: decorator
@inline const KC: i32 = 256;
// @ts-ignore: decorator
@inline const MC: i32 = 128;
// KC·NC·size = 2 MiB for both types.
// @ts-ignore: decorator
@inline function ncOf<T>(): i32 {
  return sizeof<T>() == 4 ? 2048 : 1024;
}

/**
 * Bytes of private scratch one GEMM call needs at `work`: packed A block, packed B block, an edge tile, then (for
 * float32) the kept steps of each A micro-panel: their count and their offsets into B (zero-steps.ts).
 */
export function gemmWorkBytes(): i32 {
  const packed = max((MC * KC + KC * ncOf<f32>() + MR * nr<f32>()) * 4, (MC * KC + KC * ncOf<f64>() + MR * nr<f64>()) * 8);
  return packed + (MC / MR) * 4 + (MC / MR) * KC * 4;
}

/** Micro-panel steps of k left out of float32 products in this instance so far (zero-steps.ts): a statistic for tests. */
let stepsLeftOut: f64 = 0;
export function gemmStepsLeftOut(): f64 {
  return stepsLeftOut;
}

/** Fraction of a padded micro-tile grid that is real output, for an m×n product. */
// @ts-ignore: decorator
@inline function tileUse<T>(m: i32, n: i32): f64 {
  const NR = nr<T>();
  return (<f64>m / <f64>((m + MR - 1) / MR * MR)) * (<f64>n / <f64>((n + NR - 1) / NR * NR));
}

/**
 * The product, by the direct path of skinny.ts when `direct` (decided on the whole product, so that
 * every chunk of a threaded one takes the same path), else blocked.
 */
function gemm<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize, direct: bool,
): void {
  if (m <= 0 || n <= 0) return;
  const size = sizeof<T>();
  if (k <= 0) {
    for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldc * size, 0, <usize>n * size);
    return;
  }
  if (direct) {
    skinny<T>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work);
    return;
  }
  // A narrow output (n = 3 or 10 classes) fills few of a tile's NR columns but all of its MR rows
  // once transposed: compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead, i.e. swap the operands, flip their
  // transposes and store the tiles transposed. Each element's sum runs over p in the same order,
  // so the result is bitwise the same either way.
  if (tileUse<T>(n, m) > 1.2 * tileUse<T>(m, n)) {
    blocked<T>(!transB, !transA, n, m, k, b, ldb, a, lda, c, ldc, work, true);
  } else {
    blocked<T>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, false);
  }
}

/** The blocked product; with transC the m×n result is stored transposed (C[j, i], row stride ldc). */
function blocked<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize, transC: bool,
): void {
  const size = sizeof<T>();
  const ldcBytes = <usize>ldc * size;
  const NR = nr<T>();
  const NC = ncOf<T>();
  const pa = work;
  const pb = pa + <usize>(MC * KC) * size;
  const tile = pb + <usize>(KC * NC) * size;
  const counts = work + <usize>(gemmWorkBytes() - (MC / MR) * 4 - (MC / MR) * KC * 4);
  const offsets = counts + <usize>(MC / MR) * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0;
      packB<T>(transB, b, ldb, pc, jc, kc, nc, pb);
      let finite = -1; // whether the packed B block is all finite: asked where a panel of A has steps to leave out
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA<T>(transA, a, lda, ic, pc, mc, kc, pa);
        const panels = (mc + MR - 1) / MR;
        let skips = false;
        if (size == 4 && countSteps(pa, panels, kc, counts)) {
          if (finite < 0) finite = i32(finiteF32(pb, kc * ((nc + NR - 1) / NR) * NR));
          if (finite == 1) {
            compactSteps(pa, panels, kc, counts, offsets, KC);
            for (let q = 0; q < panels; q++) stepsLeftOut += <f64>(kc - load<i32>(counts + <usize>q * 4));
            skips = true;
          }
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const panelB = pb + <usize>(jr * kc) * size;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const panelA = pa + <usize>(ir * kc) * size;
            const steps = skips ? load<i32>(counts + <usize>(ir / MR) * 4) : kc;
            const kept = offsets + <usize>(ir / MR) * KC * 4;
            if (rows == MR && cols == NR && !transC) {
              const cij = c + <usize>(ic + ir) * ldcBytes + <usize>(jc + jr) * size;
              if (size == 4 && steps < kc) kernelF32Steps(steps, panelA, kept, panelB, cij, ldcBytes, accumulate);
              else if (size == 4) kernelF32(kc, panelA, panelB, cij, ldcBytes, accumulate);
              else kernelF64(kc, panelA, panelB, cij, ldcBytes, accumulate);
              continue;
            }
            // Edge or transposed tile: compute it into scratch, then copy (or add) its valid part.
            if (size == 4 && steps < kc) kernelF32Steps(steps, panelA, kept, panelB, tile, 32, false);
            else if (size == 4) kernelF32(kc, panelA, panelB, tile, 32, false);
            else kernelF64(kc, panelA, panelB, tile, 32, false);
            if (transC) {
              // Tile row r is column ic+ir+r of C; tile column s is row jc+jr+s.
              for (let s = 0; s < cols; s++) {
                const row = c + <usize>(jc + jr + s) * ldcBytes + <usize>(ic + ir) * size;
                const t = tile + <usize>s * size;
                for (let r = 0; r < rows; r++) {
                  const v = load<T>(t + <usize>r * 32);
                  const at = row + <usize>r * size;
                  store<T>(at, accumulate ? load<T>(at) + v : v);
                }
              }
            } else {
              const cij = c + <usize>(ic + ir) * ldcBytes + <usize>(jc + jr) * size;
              for (let r = 0; r < rows; r++) {
                const row = cij + <usize>r * ldcBytes;
                const t = tile + <usize>r * 32;
                for (let s = 0; s < cols; s++) {
                  const v = load<T>(t + <usize>s * size);
                  const at = row + <usize>s * size;
                  store<T>(at, accumulate ? load<T>(at) + v : v);
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
  gemm<f32>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, isSkinny<f32>(transB, m, n, k, gemmWorkBytes()));
}

/** float64 C = op(A)·op(B); arguments as gemmF32. */
export function gemmF64(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
): void {
  gemm<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, isSkinny<f64>(transB, m, n, k, gemmWorkBytes()));
}

/**
 * Block `chunk` of `chunks` of the product (arguments as gemmF32/gemmF64, `size` the element
 * size: 4 or 8): C is cut along its larger dimension into `chunks` blocks of whole micro-tiles,
 * by columns when n ≥ m (each block then packs all of the smaller operand A, its share of B),
 * else by rows. Threads claim chunks dynamically, so a descheduled thread only delays its own.
 */
export function gemmChunk(
  size: i32, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize, chunk: i32, chunks: i32,
): void {
  const direct = size == 8 ? isSkinny<f64>(transB, m, n, k, gemmWorkBytes()) : isSkinny<f32>(transB, m, n, k, gemmWorkBytes());
  const byCols = n >= m;
  const extent = byCols ? n : m;
  const unit = byCols ? 8 : MR;
  const start = chunkBound(extent, unit, chunk, chunks);
  const end = chunkBound(extent, unit, chunk + 1, chunks);
  if (end <= start) return;
  const s = <usize>size;
  if (byCols) {
    // Columns [start, end): op(B) and C move right by `start` columns.
    b += (transB ? <usize>start * ldb : <usize>start) * s;
    c += <usize>start * s;
    n = end - start;
  } else {
    // Rows [start, end): op(A) and C move down by `start` rows.
    a += (transA ? <usize>start : <usize>start * lda) * s;
    c += <usize>start * ldc * s;
    m = end - start;
  }
  if (size == 8) gemm<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, direct);
  else gemm<f32>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, direct);
}

/** Start of chunk i: i/chunks of the way along, rounded to a whole number of units. */
function chunkBound(extent: i32, unit: i32, i: i32, chunks: i32): i32 {
  if (i >= chunks) return extent;
  const at = <i32>((<i64>extent * i / chunks + (unit >> 1)) / unit) * unit;
  return min(extent, at);
}
