// Register-tiled micro-kernels: the innermost loop of the GEMM, where all the flops happen.
//
// Each keeps a 4-row tile of C in eight v128 accumulators and walks k over two packed panels (see
// pack.ts): per step it loads one 32-byte row of the B panel (two vectors), broadcasts each of the
// 4 values of the A panel (v128.load32_splat / load64_splat, a single vbroadcastss on x86-64), and
// issues 8 multiply-adds. In the kernels-fma build (ASC_FEATURE_RELAXED_SIMD, see
// scripts/build-wasm.mjs) each is one relaxed_madd, a vfmadd on x86-64 with FMA3: measured 42 against
// 32 GFLOP/s per thread here. In the plain SIMD build it is a mul and an add, rounded separately.
//
// Why 4×8 and not the classic 6×8: V8 keeps xmm15 as scratch, so only 15 xmm registers are
// allocatable; 12 accumulators + 2 B vectors + 1 broadcast + 1 product temporary is 16, and
// TurboFan spills (measured: 6×8 ran at ~23 GFLOP/s against ~30 for 4×8 on this machine; 5×8,
// 3×12, 2×16 and unrolling k by 2 were all slower too, the latter because the scheduler hoists
// loads and raises register pressure). With FMA there is no product temporary and 6×8 needs exactly
// 15, but it still lost: 36 against 46 GFLOP/s for 4×8, each kernel alone on panels in L1.
//
// The tile (at c, row stride ldcBytes) is overwritten with the product, or accumulated into when
// `accumulate` is set (the second and later KC-blocks of k).

/** c + a·b in each lane of T (f32 or f64): fused (one rounding) in the kernels-fma build, a mul and an add otherwise. */
// @ts-ignore: decorator
@inline export function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

/** float32: a 4×8 tile of C; A panel steps 4 floats, B panel steps 8 floats. */
export function kernelF32(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, accumulate: bool): void {
  tileF32(kc, pa, 0, pb, c, ldcBytes, accumulate, false);
}

/**
 * kernelF32 over `steps` of the KC-block's steps only: the A panel holds those steps' 4 values (compacted by
 * zero-steps.ts, which leaves out steps of four zeros) and `offsets` their byte offsets into the B panel, one u32
 * each. A step left out would add 0·b to every sum, so the tile gets kernelF32's bits.
 */
export function kernelF32Steps(steps: i32, pa: usize, offsets: usize, pb: usize, c: usize, ldcBytes: usize, accumulate: bool): void {
  tileF32(steps, pa, offsets, pb, c, ldcBytes, accumulate, true);
}

/** The loop of both float32 kernels: B's rows in turn, or (`compacted`, a constant at each call) those at `offsets`. */
// @ts-ignore: decorator
@inline function tileF32(steps: i32, pa: usize, offsets: usize, pb: usize, c: usize, ldcBytes: usize, accumulate: bool, compacted: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let t = 0; t < steps; t++) {
    const at = compacted ? pb + <usize>load<u32>(offsets) : pb;
    const b0 = v128.load(at);
    const b1 = v128.load(at, 16);
    let a = v128.load32_splat(pa);
    c00 = madd<f32>(a, b0, c00);
    c01 = madd<f32>(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd<f32>(a, b0, c10);
    c11 = madd<f32>(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd<f32>(a, b0, c20);
    c21 = madd<f32>(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd<f32>(a, b0, c30);
    c31 = madd<f32>(a, b1, c31);
    pa += 16;
    if (compacted) offsets += 4;
    else pb += 32;
  }
  storeTileF32(c, ldcBytes, accumulate, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** A float32 tile's 4 rows × 2 vectors into C at c (added to what is there when accumulate). */
// @ts-ignore: decorator
@inline function storeTileF32(
  c: usize, ldcBytes: usize, accumulate: bool,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
): void {
  let r0 = c, r1 = c + ldcBytes, r2 = r1 + ldcBytes, r3 = r2 + ldcBytes;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(r0, c00); v128.store(r0, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/** float64: a 4×4 tile of C; A panel steps 4 doubles, B panel steps 4 doubles. Half the flops per step of the f32 kernel, same instruction count. */
export function kernelF64(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, accumulate: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = madd<f64>(a, b0, c00);
    c01 = madd<f64>(a, b1, c01);
    a = v128.load64_splat(pa, 8);
    c10 = madd<f64>(a, b0, c10);
    c11 = madd<f64>(a, b1, c11);
    a = v128.load64_splat(pa, 16);
    c20 = madd<f64>(a, b0, c20);
    c21 = madd<f64>(a, b1, c21);
    a = v128.load64_splat(pa, 24);
    c30 = madd<f64>(a, b0, c30);
    c31 = madd<f64>(a, b1, c31);
    pa += 32;
    pb += 32;
  }
  let r0 = c, r1 = c + ldcBytes, r2 = r1 + ldcBytes, r3 = r2 + ldcBytes;
  if (accumulate) {
    c00 = f64x2.add(c00, v128.load(r0)); c01 = f64x2.add(c01, v128.load(r0, 16));
    c10 = f64x2.add(c10, v128.load(r1)); c11 = f64x2.add(c11, v128.load(r1, 16));
    c20 = f64x2.add(c20, v128.load(r2)); c21 = f64x2.add(c21, v128.load(r2, 16));
    c30 = f64x2.add(c30, v128.load(r3)); c31 = f64x2.add(c31, v128.load(r3, 16));
  }
  v128.store(r0, c00); v128.store(r0, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}
