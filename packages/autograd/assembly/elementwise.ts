// Element-wise kernels that run over large buffers (parameter updates, gradient accumulation), where a
// SIMD loop repays copying the operands in and out (see the rows of src/kernels/table.ts).
//
// Each computes exactly what the JS reference computes: for float32, y + a·x in float64 (a is a JS
// number) rounded once to float32, so the two backends agree bit for bit.

/** y ← y + a·x over n float32 at byte addresses x, y; a in float64 as in the JS loop. */
export function axpyF32(a: f64, x: usize, y: usize, n: i32): void {
  const end = y + (<usize>n << 2);
  const end4 = y + (<usize>(n & ~3) << 2);
  if (a == 1) {
    // y + 1·x: the float64 sum of two float32 rounded to float32 is their float32 sum, so 4 lanes at a time
    while (y < end4) {
      v128.store(y, f32x4.add(v128.load(y), v128.load(x)));
      x += 16;
      y += 16;
    }
  } else {
    // two lanes at a time in float64, as the JS loop computes, each rounded once to float32
    const av = f64x2.splat(a);
    while (y < end4) {
      const xv = f64x2.promote_low_f32x4(v128.load64_zero(x));
      const yv = f64x2.promote_low_f32x4(v128.load64_zero(y));
      v128.store64_lane(y, f32x4.demote_f64x2_zero(f64x2.add(yv, f64x2.mul(av, xv))), 0);
      x += 8;
      y += 8;
    }
  }
  while (y < end) {
    store<f32>(y, <f32>(<f64>load<f32>(y) + a * <f64>load<f32>(x)));
    x += 4;
    y += 4;
  }
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

/** c (rows × cols, float32) ← c + bias, the bias row added to every row; float32 sums round as JS's fround(x + b). */
export function addRowF32(c: usize, bias: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j < cols4; j += 4) {
      const p = c + (<usize>j << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(bias + (<usize>j << 2))));
    }
    for (; j < cols; j++) {
      const p = c + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + load<f32>(bias + (<usize>j << 2)));
    }
    c += <usize>cols << 2;
  }
}

/** c (rows × cols, float64) ← c + bias, the bias row added to every row. */
export function addRowF64(c: usize, bias: usize, rows: i32, cols: i32): void {
  const cols2 = cols & ~1;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j < cols2; j += 2) {
      const p = c + (<usize>j << 3);
      v128.store(p, f64x2.add(v128.load(p), v128.load(bias + (<usize>j << 3))));
    }
    if (j < cols) {
      const p = c + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + load<f64>(bias + (<usize>j << 3)));
    }
    c += <usize>cols << 3;
  }
}

// The rectifiers as bit masks: m = (z > 0) is all ones or all zeros per lane, so z & m is z or +0 (NaN and −0
// give +0), exactly the JS ternaries z > 0 ? z : 0, z > 0 ? 1 : 0 and z > 0 ? g : 0·g.

/** out = z > 0 ? z : 0 over n float32. */
export function reluF32(z: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < n4; i += 16) { const v = v128.load(z + i); v128.store(out + i, v128.and(v, f32x4.gt(v, zero))); }
  for (; i < (<usize>n << 2); i += 4) { const v = load<f32>(z + i); store<f32>(out + i, v > 0 ? v : 0); }
}

/** out = z > 0 ? z : 0 over n float64. */
export function reluF64(z: usize, out: usize, n: i32): void {
  const zero = f64x2.splat(0);
  const n2 = <usize>(n & ~1) << 3;
  let i: usize = 0;
  for (; i < n2; i += 16) { const v = v128.load(z + i); v128.store(out + i, v128.and(v, f64x2.gt(v, zero))); }
  if (i < (<usize>n << 3)) { const v = load<f64>(z + i); store<f64>(out + i, v > 0 ? v : 0); }
}

/** out = z > 0 ? 1 : 0 over n float32. */
export function reluGradF32(z: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  const n4 = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < n4; i += 16) v128.store(out + i, v128.and(one, f32x4.gt(v128.load(z + i), zero)));
  for (; i < (<usize>n << 2); i += 4) store<f32>(out + i, load<f32>(z + i) > 0 ? 1 : 0);
}

/** out = z > 0 ? 1 : 0 over n float64. */
export function reluGradF64(z: usize, out: usize, n: i32): void {
  const zero = f64x2.splat(0), one = f64x2.splat(1);
  const n2 = <usize>(n & ~1) << 3;
  let i: usize = 0;
  for (; i < n2; i += 16) v128.store(out + i, v128.and(one, f64x2.gt(v128.load(z + i), zero)));
  if (i < (<usize>n << 3)) store<f64>(out + i, load<f64>(z + i) > 0 ? 1 : 0);
}

/** out = z > 0 ? g : 0·g over n float32 (ReLU's backward; 0·g keeps the sign of g and turns ±∞, NaN into NaN). */
export function reluBackF32(g: usize, z: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < n4; i += 16) {
    const gv = v128.load(g + i);
    v128.store(out + i, v128.bitselect(gv, f32x4.mul(zero, gv), f32x4.gt(v128.load(z + i), zero)));
  }
  for (; i < (<usize>n << 2); i += 4) { const gv = load<f32>(g + i); store<f32>(out + i, load<f32>(z + i) > 0 ? gv : <f32>0 * gv); }
}

/** out = z > 0 ? g : 0·g over n float64. */
export function reluBackF64(g: usize, z: usize, out: usize, n: i32): void {
  const zero = f64x2.splat(0);
  const n2 = <usize>(n & ~1) << 3;
  let i: usize = 0;
  for (; i < n2; i += 16) {
    const gv = v128.load(g + i);
    v128.store(out + i, v128.bitselect(gv, f64x2.mul(zero, gv), f64x2.gt(v128.load(z + i), zero)));
  }
  if (i < (<usize>n << 3)) { const gv = load<f64>(g + i); store<f64>(out + i, load<f64>(z + i) > 0 ? gv : 0 * gv); }
}

/** out = x ⊙ y over n float32 (a float32 product rounds as JS's fround(x·y)). */
export function hadamardF32(x: usize, y: usize, out: usize, n: i32): void {
  const n4 = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < n4; i += 16) v128.store(out + i, f32x4.mul(v128.load(x + i), v128.load(y + i)));
  for (; i < (<usize>n << 2); i += 4) store<f32>(out + i, load<f32>(x + i) * load<f32>(y + i));
}

/** out = x ⊙ y over n float64. */
export function hadamardF64(x: usize, y: usize, out: usize, n: i32): void {
  const n2 = <usize>(n & ~1) << 3;
  let i: usize = 0;
  for (; i < n2; i += 16) v128.store(out + i, f64x2.mul(v128.load(x + i), v128.load(y + i)));
  if (i < (<usize>n << 3)) store<f64>(out + i, load<f64>(x + i) * load<f64>(y + i));
}

/** out (cols, float32) = Σ_rows x: each column summed row by row, in order, as the JS loop does. */
export function sumRowsF32(x: usize, out: usize, rows: i32, cols: i32): void {
  const bytes = <usize>cols << 2;
  memory.fill(out, 0, bytes);
  const c4 = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    let j: usize = 0;
    for (; j < c4; j += 16) v128.store(out + j, f32x4.add(v128.load(out + j), v128.load(x + j)));
    for (; j < bytes; j += 4) store<f32>(out + j, load<f32>(out + j) + load<f32>(x + j));
    x += bytes;
  }
}

/** out (cols, float64) = Σ_rows x, row by row. */
export function sumRowsF64(x: usize, out: usize, rows: i32, cols: i32): void {
  const bytes = <usize>cols << 3;
  memory.fill(out, 0, bytes);
  const c2 = <usize>(cols & ~1) << 3;
  for (let r = 0; r < rows; r++) {
    let j: usize = 0;
    for (; j < c2; j += 16) v128.store(out + j, f64x2.add(v128.load(out + j), v128.load(x + j)));
    if (j < bytes) store<f64>(out + j, load<f64>(out + j) + load<f64>(x + j));
    x += bytes;
  }
}

/** 1 when none of the n float32 at x is NaN or ±Infinity (all exponent bits set), else 0: the JS allFinite's answer. */
export function allFiniteF32(x: usize, n: i32): i32 {
  const mask = i32x4.splat(0x7f800000);
  let hit = i32x4.splat(0);
  const n4 = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < n4; i += 16) hit = v128.or(hit, i32x4.eq(v128.and(v128.load(x + i), mask), mask));
  let scalar = false;
  for (; i < (<usize>n << 2); i += 4) scalar = scalar || (load<i32>(x + i) & 0x7f800000) == 0x7f800000;
  return v128.any_true(hit) || scalar ? 0 : 1;
}

/** allFiniteF32 for n float64 at x. */
export function allFiniteF64(x: usize, n: i32): i32 {
  const mask = i64x2.splat(0x7ff0000000000000);
  let hit = i64x2.splat(0);
  const n2 = <usize>(n & ~1) << 3;
  let i: usize = 0;
  for (; i < n2; i += 16) hit = v128.or(hit, i64x2.eq(v128.and(v128.load(x + i), mask), mask));
  const scalar = i < (<usize>n << 3) && (load<i64>(x + i) & 0x7ff0000000000000) == 0x7ff0000000000000;
  return v128.any_true(hit) || scalar ? 0 : 1;
}
