// Steps of k that a micro-panel of A holds only zeros in, left out of its tile's sum.
//
// Inputs and activations are full of zeros: in a batch of Fashion-MNIST images 21% of the (4 images × pixel) steps
// of z = x W₁ are four zeros, and 39% of the (4 pixels × image) steps of ∂L/∂W₁ = xᵀ δ. Such a step adds 0·b to each
// of the tile's sums, which changes none of them (c + 0·b = c for a finite b, and a sum that starts at +0 is never
// −0), so leaving it out gives the same bits and saves its multiply-adds. A panel is compacted to its other steps,
// with their offsets into the B panel beside it (kernelF32Steps in micro-kernels.ts reads them), where at least
// one step in eight is left out; where B holds an ∞ or a NaN (0·∞ is NaN) nothing is left out.

import { MR } from './pack';

/** Bytes of one B micro-panel step: NR float32 values. */
// @ts-ignore: decorator
@inline const STEP_B: u32 = 32;

/**
 * Counts, for each of the `panels` MR-row float32 micro-panels of kc steps at pa (packA's layout), the steps whose
 * MR values are not all +0, into counts (i32 per panel); a panel with fewer than one step in eight to leave out
 * counts kc (it is used as packed). Returns whether any panel has steps to leave out.
 */
export function countSteps(pa: usize, panels: i32, kc: i32, counts: usize): bool {
  // every eighth step first: a block with under one zero step in sixteen of those is taken as it is, so that dense
  // operands pay an eighth of a count, not a whole one (measured: +1.5-2% on a dense 128×784·784×256 before)
  let sampled = 0, zeros = 0;
  for (let q = 0; q < panels; q++) {
    const panel = pa + <usize>q * <usize>kc * (MR * 4);
    for (let p = 0; p < kc; p += 8) {
      zeros += i32(!v128.any_true(v128.load(panel + <usize>p * (MR * 4))));
      sampled++;
    }
  }
  if (zeros * 16 < sampled) return false;
  let any = false;
  for (let q = 0; q < panels; q++) {
    let kept = 0;
    let at = pa + <usize>q * <usize>kc * (MR * 4);
    for (let p = 0; p < kc; p++) {
      kept += i32(v128.any_true(v128.load(at)));
      at += MR * 4;
    }
    if (kc - kept < kc >> 3) kept = kc;
    store<i32>(counts + <usize>q * 4, kept);
    if (kept < kc) any = true;
  }
  return any;
}

/**
 * Compacts each panel whose count is under kc to its kept steps, in order, and writes their byte offsets into the
 * B panel (p · 32) at offsets + q · stride · 4.
 */
export function compactSteps(pa: usize, panels: i32, kc: i32, counts: usize, offsets: usize, stride: i32): void {
  for (let q = 0; q < panels; q++) {
    if (load<i32>(counts + <usize>q * 4) == kc) continue;
    const panel = pa + <usize>q * <usize>kc * (MR * 4);
    let to = panel;
    let offset = offsets + <usize>q * <usize>stride * 4;
    // without branches (which steps are zero follows the data, and a mispredicted branch costs more than the
    // step): every step is written where the next kept one goes, and the write position moves on only past a kept one
    for (let p = 0; p < kc; p++) {
      const v = v128.load(panel + <usize>p * (MR * 4));
      const keep = <usize>v128.any_true(v);
      v128.store(to, v);
      store<u32>(offset, <u32>p * STEP_B);
      to += keep * (MR * 4);
      offset += keep * 4;
    }
  }
}

/** Whether the n float32 values at p are all finite (x − x is 0 for each, NaN for ±∞ and NaN). */
export function finiteF32(p: usize, n: i32): bool {
  let bad = v128.splat<i32>(0);
  const whole = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < whole; i += 16) {
    const x = v128.load(p + i);
    bad = v128.or(bad, f32x4.ne(f32x4.sub(x, x), f32x4.splat(0)));
  }
  if (v128.any_true(bad)) return false;
  for (; i < (<usize>n << 2); i += 4) {
    const x = load<f32>(p + i);
    if (x - x != 0) return false;
  }
  return true;
}
