// Element-wise kernels that run over large buffers (parameter updates, gradient accumulation), where a
// SIMD loop repays copying the operands in and out (see src/kernels/wasm-elementwise.ts).
//
// Each computes exactly what the JS reference computes: for float32, y + a·x in float64 (a is a JS
// number) rounded once to float32, so the two backends agree bit for bit.

/** y ← y + a·x over n float32 at byte addresses x, y; a in float64 as in the JS loop. */
export function axpyF32(a: f64, x: usize, y: usize, n: i32): void {
  const av = f64x2.splat(a);
  const end = y + (<usize>n << 2);
  const end2 = y + (<usize>(n & ~1) << 2);
  while (y < end2) {
    const xv = f64x2.promote_low_f32x4(v128.load64_zero(x));
    const yv = f64x2.promote_low_f32x4(v128.load64_zero(y));
    v128.store64_lane(y, f32x4.demote_f64x2_zero(f64x2.add(yv, f64x2.mul(av, xv))), 0);
    x += 8;
    y += 8;
  }
  if (y < end) store<f32>(y, <f32>(<f64>load<f32>(y) + a * <f64>load<f32>(x)));
}

/** y ← y + a·x over n float64 at byte addresses x, y. */
export function axpyF64(a: f64, x: usize, y: usize, n: i32): void {
  const av = f64x2.splat(a);
  const end = y + (<usize>n << 3);
  const end2 = y + (<usize>(n & ~1) << 3);
  while (y < end2) {
    v128.store(y, f64x2.add(v128.load(y), f64x2.mul(av, v128.load(x))));
    x += 16;
    y += 16;
  }
  if (y < end) store<f64>(y, load<f64>(y) + a * load<f64>(x));
}
