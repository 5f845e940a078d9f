// The optimizers' updates over one parameter's buffers, in place (src/kernels/reference.ts has the JS loops and
// optim/*.ts the formulas). Each computes what its JS loop computes, operation for operation in the buffers' type
// (the JS float32 loop rounds each result with Math.fround), so the two backends agree bit for bit; √ and ÷ are
// correctly rounded IEEE operations in both.

/**
 * Adam's update of n float32 parameters at theta with gradient grad and moments m, v (vMax: AMSGrad's maximum when
 * amsgrad is 1): θ ← θ·decay; g ← sign·∇ + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; v̂ ← max(v̂, v);
 * θ ← θ − stepSize · m / (√v̂ / bias2Sqrt + ε). In float32 throughout, scalars included, four lanes at a time.
 */
export function adamF32(
  theta: usize, grad: usize, m: usize, v: usize, vMax: usize, n: i32, amsgrad: i32,
  stepSize: f64, bias2Sqrt: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decay: f64, sign: f64,
): void {
  const fb1 = <f32>beta1, fc1 = <f32>(1 - beta1), fb2 = <f32>beta2, fc2 = <f32>(1 - beta2);
  const flr = <f32>stepSize, fbc = <f32>bias2Sqrt, fep = <f32>eps, fwd = <f32>weightDecay, fdc = <f32>decay, fsg = <f32>sign;
  const b1 = f32x4.splat(fb1), c1 = f32x4.splat(fc1), b2 = f32x4.splat(fb2), c2 = f32x4.splat(fc2);
  const lr = f32x4.splat(flr), bc = f32x4.splat(fbc), ep = f32x4.splat(fep);
  const wd = f32x4.splat(fwd), dc = f32x4.splat(fdc), sg = f32x4.splat(fsg);
  const decays = decay != 1, l2 = fwd != 0, ams = amsgrad != 0;
  const n4 = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < n4; i += 16) {
    let th = v128.load(theta + i);
    let g = f32x4.mul(sg, v128.load(grad + i));
    if (decays) th = f32x4.mul(th, dc);
    else if (l2) g = f32x4.add(g, f32x4.mul(wd, th));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + i)), f32x4.mul(c1, g));
    let vi = f32x4.add(f32x4.mul(b2, v128.load(v + i)), f32x4.mul(f32x4.mul(c2, g), g));
    v128.store(m + i, mi);
    v128.store(v + i, vi);
    if (ams) {
      vi = f32x4.max(v128.load(vMax + i), vi);
      v128.store(vMax + i, vi);
    }
    v128.store(theta + i, f32x4.sub(th, f32x4.mul(lr, f32x4.div(mi, f32x4.add(f32x4.div(f32x4.sqrt(vi), bc), ep)))));
  }
  for (; i < (<usize>n << 2); i += 4) {
    let th = load<f32>(theta + i);
    let g = fsg * load<f32>(grad + i);
    if (decays) th = th * fdc;
    else if (l2) g = g + fwd * th;
    const mi = fb1 * load<f32>(m + i) + fc1 * g;
    let vi = fb2 * load<f32>(v + i) + fc2 * g * g;
    store<f32>(m + i, mi);
    store<f32>(v + i, vi);
    if (ams) {
      vi = max(load<f32>(vMax + i), vi);
      store<f32>(vMax + i, vi);
    }
    store<f32>(theta + i, th - flr * (mi / (sqrt<f32>(vi) / fbc + fep)));
  }
}

/** adamF32 over float64 buffers. */
export function adamF64(
  theta: usize, grad: usize, m: usize, v: usize, vMax: usize, n: i32, amsgrad: i32,
  stepSize: f64, bias2Sqrt: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decay: f64, sign: f64,
): void {
  const b1 = f64x2.splat(beta1), c1 = f64x2.splat(1 - beta1);
  const b2 = f64x2.splat(beta2), c2 = f64x2.splat(1 - beta2);
  const lr = f64x2.splat(stepSize), bc = f64x2.splat(bias2Sqrt), ep = f64x2.splat(eps);
  const wd = f64x2.splat(weightDecay), dc = f64x2.splat(decay), sg = f64x2.splat(sign);
  const decays = decay != 1, l2 = weightDecay != 0, ams = amsgrad != 0;
  const n2 = <usize>(n & ~1) << 3;
  let i: usize = 0;
  for (; i < n2; i += 16) {
    let th = v128.load(theta + i);
    let g = f64x2.mul(sg, v128.load(grad + i));
    if (decays) th = f64x2.mul(th, dc);
    else if (l2) g = f64x2.add(g, f64x2.mul(wd, th));
    const mi = f64x2.add(f64x2.mul(b1, v128.load(m + i)), f64x2.mul(c1, g));
    let vi = f64x2.add(f64x2.mul(b2, v128.load(v + i)), f64x2.mul(f64x2.mul(c2, g), g));
    v128.store(m + i, mi);
    v128.store(v + i, vi);
    if (ams) {
      vi = f64x2.max(v128.load(vMax + i), vi);
      v128.store(vMax + i, vi);
    }
    v128.store(theta + i, f64x2.sub(th, f64x2.mul(lr, f64x2.div(mi, f64x2.add(f64x2.div(f64x2.sqrt(vi), bc), ep)))));
  }
  if (i < (<usize>n << 3)) {
    let th = load<f64>(theta + i);
    let g = sign * load<f64>(grad + i);
    if (decays) th = th * decay;
    else if (l2) g += weightDecay * th;
    const mi = beta1 * load<f64>(m + i) + (1 - beta1) * g;
    let vi = beta2 * load<f64>(v + i) + (1 - beta2) * g * g;
    store<f64>(m + i, mi);
    store<f64>(v + i, vi);
    if (ams) {
      vi = max(load<f64>(vMax + i), vi);
      store<f64>(vMax + i, vi);
    }
    store<f64>(theta + i, th - stepSize * (mi / (sqrt(vi) / bias2Sqrt + eps)));
  }
}

/**
 * SGD's update of n float32 parameters at theta (b: the momentum buffer, used when hasMomentum is 1):
 * g ← sign·∇ + λθ; b ← g (first) or μb + (1 − τ)g; θ ← θ − η (g + μb if nesterov, else b), or θ ← θ − ηg without
 * momentum. In float32 throughout, scalars included, four lanes at a time, as the JS float32 loop rounds each result.
 */
export function sgdF32(
  theta: usize, grad: usize, b: usize, n: i32, hasMomentum: i32, first: i32, nesterov: i32,
  lr: f64, momentum: f64, dampening: f64, weightDecay: f64, sign: f64,
): void {
  const flr = <f32>lr, fmu = <f32>momentum, fc = <f32>(1 - dampening), fwd = <f32>weightDecay, fsg = <f32>sign;
  const lrv = f32x4.splat(flr), mu = f32x4.splat(fmu), c = f32x4.splat(fc), wd = f32x4.splat(fwd), sg = f32x4.splat(fsg);
  const l2 = weightDecay != 0;
  const n4 = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < n4; i += 16) {
    const th = v128.load(theta + i);
    let g = f32x4.mul(sg, v128.load(grad + i));
    if (l2) g = f32x4.add(g, f32x4.mul(wd, th));
    if (hasMomentum) {
      const bi = first ? g : f32x4.add(f32x4.mul(mu, v128.load(b + i)), f32x4.mul(c, g));
      v128.store(b + i, bi);
      g = nesterov ? f32x4.add(g, f32x4.mul(mu, bi)) : bi;
    }
    v128.store(theta + i, f32x4.sub(th, f32x4.mul(lrv, g)));
  }
  for (; i < (<usize>n << 2); i += 4) {
    const th = load<f32>(theta + i);
    let g = fsg * load<f32>(grad + i);
    if (l2) g = g + fwd * th;
    if (hasMomentum) {
      const bi = first ? g : fmu * load<f32>(b + i) + fc * g;
      store<f32>(b + i, bi);
      g = nesterov ? g + fmu * bi : bi;
    }
    store<f32>(theta + i, th - flr * g);
  }
}

/** sgdF32 over float64 buffers. */
export function sgdF64(
  theta: usize, grad: usize, b: usize, n: i32, hasMomentum: i32, first: i32, nesterov: i32,
  lr: f64, momentum: f64, dampening: f64, weightDecay: f64, sign: f64,
): void {
  const lrv = f64x2.splat(lr), mu = f64x2.splat(momentum), c = f64x2.splat(1 - dampening);
  const wd = f64x2.splat(weightDecay), sg = f64x2.splat(sign);
  const l2 = weightDecay != 0;
  const n2 = <usize>(n & ~1) << 3;
  let i: usize = 0;
  for (; i < n2; i += 16) {
    const th = v128.load(theta + i);
    let g = f64x2.mul(sg, v128.load(grad + i));
    if (l2) g = f64x2.add(g, f64x2.mul(wd, th));
    if (hasMomentum) {
      const bi = first ? g : f64x2.add(f64x2.mul(mu, v128.load(b + i)), f64x2.mul(c, g));
      v128.store(b + i, bi);
      g = nesterov ? f64x2.add(g, f64x2.mul(mu, bi)) : bi;
    }
    v128.store(theta + i, f64x2.sub(th, f64x2.mul(lrv, g)));
  }
  if (i < (<usize>n << 3)) {
    const th = load<f64>(theta + i);
    let g = sign * load<f64>(grad + i);
    if (l2) g += weightDecay * th;
    if (hasMomentum) {
      const bi = first ? g : momentum * load<f64>(b + i) + (1 - dampening) * g;
      store<f64>(b + i, bi);
      g = nesterov ? g + momentum * bi : bi;
    }
    store<f64>(theta + i, th - lr * g);
  }
}

/**
 * Chunk `chunk` of `chunks` of Adam's update over n elements of `size` bytes (a job of the thread pool, which calls
 * every chunk function with thirteen arguments: the three unused ones and `work` are ignored). The step's scalars
 * are eight f64 at `scalars`, in adamF32's order from stepSize. Chunks start on 64-byte lines, so no two threads
 * write the same cache line.
 */
export function adamChunk(
  size: i32, theta: usize, grad: usize, m: usize, v: usize, vMax: usize, n: i32, amsgrad: i32, scalars: usize,
  _a: i32, _b: i32, _c: i32, _work: usize, chunk: i32, chunks: i32,
): void {
  const line = 64 / size;
  const per = (((n + chunks - 1) / chunks + line - 1) / line) * line;
  const start = chunk * per;
  const count = min(per, n - start);
  if (count <= 0) return;
  const at = <usize>start * <usize>size;
  const s0 = load<f64>(scalars), s1 = load<f64>(scalars, 8), s2 = load<f64>(scalars, 16), s3 = load<f64>(scalars, 24);
  const s4 = load<f64>(scalars, 32), s5 = load<f64>(scalars, 40), s6 = load<f64>(scalars, 48), s7 = load<f64>(scalars, 56);
  const vm = amsgrad != 0 ? vMax + at : 0;
  if (size == 8) adamF64(theta + at, grad + at, m + at, v + at, vm, count, amsgrad, s0, s1, s2, s3, s4, s5, s6, s7);
  else adamF32(theta + at, grad + at, m + at, v + at, vm, count, amsgrad, s0, s1, s2, s3, s4, s5, s6, s7);
}
