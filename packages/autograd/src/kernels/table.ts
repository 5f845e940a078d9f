// Which backend runs what: one row per kernel. Each row has its JS reference (reference.ts: plain loops, the definition
// of the values), its wasm form where there is one (an AssemblyScript function in assembly/, reached through wasm/:
// operands copied in, the call, results copied out), its native form where there is one (the C addon through native/:
// the products on OpenBLAS, the optimizers' updates, the batch's gather), the size rule that says when those pay for
// their calls, and the argument checks every form shares. The kernels the engines call are built from these rows
// (`kernels` below): on the native backend (as backend.ts selects) a row runs its native form, else its wasm form; on
// the wasm backend its wasm form; each only where the row's rule says so, else the JS one. Nothing else in kernels/
// chooses a backend.
//
// Adding a wasm kernel: write <name>F32 and <name>F64 in assembly/ (exported from their file), `pnpm --filter
// @tapegrad/autograd build:wasm`, and add a row here whose `wasm` is a `callWasm('<name>', …operands)` (or
// `unaryWasm('<name>')` for one operand in, one out); the table test (table.test.ts) then holds it to its JS
// reference, given a sample of arguments there.
import { getBackend } from './backend.ts';
import type { FloatArray } from './dtype.ts';
import {
  adagradRef,
  adamRef,
  addRowRef,
  allFiniteRef,
  axpyRef,
  gatherRowsRef,
  hadamardRef,
  matmulRef,
  matmulRefNT,
  matmulRefTN,
  reluGradRef,
  reluRef,
  rmspropRef,
  sgdRef,
  stepGradRef,
  sumRowsRef,
} from './reference.ts';
import type { NumericArray } from './layout.ts';
import { nativeAdam, nativeGather, nativeGemm, nativeSgd } from './native/kernels.ts';
import { adamInPlace } from './wasm/adam.ts';
import { input, inOut, output } from './wasm/arena.ts';
import { isResident } from './wasm/resident.ts';
import { gemm } from './wasm/gemm.ts';
import { callWasm } from './wasm/instance.ts';

/**
 * Below this many multiply-adds (m·k·n), or with fewer than WASM_MIN_OUTPUTS outputs, a product runs
 * in JS even on the wasm backend. Measured (scripts/bench-matmul.ts --crossover): a wasm call with
 * its copies costs ~0.35 µs and overtakes the reference loops at ~200-300 multiply-adds (7×7×7:
 * 2× faster, 8×8×8: 3.5×); but a 4×8 register tile is mostly padding for matrix-vector shapes
 * (1×256×1: JS 1.6 µs, wasm 2.7 µs).
 */
export const WASM_MIN_MACS = 512;
export const WASM_MIN_OUTPUTS = 32;

/**
 * Below this many elements `axpy` stays in JS even on the wasm backend: copying x and y in and y out costs about
 * what the JS loop does on a buffer in cache, while on large buffers (parameter updates, gradient accumulation) the
 * SIMD loop with its copies is several times faster.
 */
export const WASM_AXPY_MIN = 8192;

/**
 * Below this many elements the other element-wise kernels with a wasm form stay in JS even on the wasm backend.
 * Above it, copying the operands in and the result out plus a SIMD loop of bit masks costs about a third of the JS
 * loop (16384 float32: ~8 µs against 20-30 µs); the NaN/∞ scan with its copy in is ~6× the JS scan on 100K float32.
 */
export const WASM_ELEMENTWISE_MIN = 4096;

/** A kernel's type: any function of up to seven parameters (see dispatched). */
type Kernel = (a: never, b: never, c: never, d: never, e: never, f: never, g: never) => unknown;

/** One kernel: its reference, its wasm and native forms, when those pay, and the checks all share. */
export interface KernelRow<F extends Kernel> {
  /** The reference: plain loops (reference.ts), the definition of the values, and the only form on the js backend. */
  readonly js: F;
  /** The WebAssembly form, same signature and values (the products: within rounding). */
  readonly wasm?: F;
  /** The native form (Node, OpenBLAS), on the native backend: same signature, values within rounding. */
  readonly native?: F;
  /** Whether these arguments are worth the wasm or native form: big enough to repay the call, and of one dtype. */
  readonly pays?: (...args: Parameters<F>) => boolean;
  /** Throws on arguments no form accepts. */
  readonly check?: (...args: Parameters<F>) => void;
}

/** A row, its functions' types taken from `js`. */
function row<F extends Kernel>(r: {
  js: F;
  wasm?: NoInfer<F>;
  native?: NoInfer<F>;
  pays?: (...args: Parameters<NoInfer<F>>) => boolean;
  check?: (...args: Parameters<NoInfer<F>>) => void;
}): KernelRow<F> {
  return r;
}

type Loose = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown) => unknown;

/**
 * The kernel a row stands for: its check, then, where it pays, its native form on the native backend, its wasm form
 * on the native (for rows with no native form) or wasm backend; else its JS form.
 */
function dispatched<F extends Kernel>(r: KernelRow<F>): F {
  // Seven plain parameters rather than (...args), so that no call of a small kernel (thousands a training step)
  // makes an array; `Kernel` holds every row to seven, and each function ignores the undefined ones past its own.
  const { js, wasm, native, pays, check } = r as unknown as { js: Loose; wasm?: Loose; native?: Loose; pays?: Loose; check?: Loose };
  const fast = native ?? wasm;
  const run: Loose =
    fast === undefined || pays === undefined
      ? js
      : (a, b, c, d, e, f, g) => {
          const backend = getBackend();
          const form = backend === 'native' ? fast : backend === 'wasm' ? wasm : undefined;
          if (form === undefined || !pays(a, b, c, d, e, f, g)) return js(a, b, c, d, e, f, g);
          return form(a, b, c, d, e, f, g);
        };
  if (check === undefined) return run as unknown as F;
  const checked: Loose = (a, b, c, d, e, f, g) => {
    check(a, b, c, d, e, f, g);
    return run(a, b, c, d, e, f, g);
  };
  return checked as unknown as F;
}

/** Throws unless a, b and out hold the elements a product's dimensions need. */
export function checkLengths(op: string, a: FloatArray, b: FloatArray, out: FloatArray, aLen: number, bLen: number, outLen: number): void {
  if (a.length < aLen || b.length < bLen || out.length < outLen) {
    throw new RangeError(
      `${op}: buffers too short: a has ${a.length} (needs ${aLen}), b has ${b.length} (needs ${bLen}), out has ${out.length} (needs ${outLen})`,
    );
  }
}

function checkBias(op: string, bias: FloatArray, n: number): void {
  if (bias.length < n) throw new RangeError(`${op}: bias too short: it has ${bias.length} (needs ${n})`);
}

/** A product pays in wasm from WASM_MIN_MACS multiply-adds and WASM_MIN_OUTPUTS outputs, all operands of one dtype. */
const productPays = (a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number): boolean =>
  m * k * n >= WASM_MIN_MACS && m * n >= WASM_MIN_OUTPUTS && a.constructor === out.constructor && b.constructor === out.constructor;

/** z = a W + b with the bias row, optionally rectified: the forms of a layer's product (matmulBias, matmulBiasAct). */
type BiasProduct = (a: FloatArray, b: FloatArray, bias: FloatArray, out: FloatArray, m: number, k: number, n: number) => FloatArray;
const biasProductPays: (...args: Parameters<BiasProduct>) => boolean = (a, b, bias, out, m, k, n) =>
  productPays(a, b, out, m, k, n) && bias.constructor === out.constructor;

/** An element-wise kernel over n elements pays in wasm from WASM_ELEMENTWISE_MIN, its buffers long enough and of one dtype. */
const elementwisePays = (n: number, out: FloatArray, x: FloatArray, y: FloatArray = x): boolean =>
  n >= WASM_ELEMENTWISE_MIN && out.length >= n && x.length >= n && y.length >= n && x.constructor === out.constructor && y.constructor === out.constructor;

/** Below this many elements a gather stays in JS on the native backend: a call into the addon costs a few µs. */
export const GATHER_NATIVE_MIN = 16384;

/** Throws unless out holds count rows of x and every index[start + r] names a row of x. */
function checkGatherRows(x: NumericArray, width: number, index: ArrayLike<number>, start: number, count: number, out: NumericArray): void {
  const rows = x.length / width;
  if (out.length < count * width) throw new RangeError(`gatherRows: out has ${out.length} elements; ${count} rows of ${width} need ${count * width}`);
  for (let r = 0; r < count; r++) {
    const row = index[start + r];
    if (!(Number.isInteger(row) && row >= 0 && row < rows)) {
      throw new RangeError(`gatherRows: index ${row} at position ${start + r} is out of range; x has ${rows} rows`);
    }
  }
}

/**
 * Below this many parameters an optimizer's update stays in JS even on the wasm backend, unless θ is resident. Copying
 * θ, ∇θ, m and v in and θ, m, v out costs ~0.26 ms on 235k float32 here; Adam's four-lane loop with its √ and ÷ beats
 * the JS loop by several times its copies, SGD with momentum by about its copies (scripts/bench-optim.ts). With θ and
 * its state resident (wasm/resident.ts) only ∇θ is copied, at any size.
 */
export const WASM_OPTIMIZER_MIN = 4096;

/**
 * An optimizer's buffers: all as long as θ and of its dtype (vMax may be null), θ from WASM_OPTIMIZER_MIN elements
 * or resident (wasm/resident.ts: then only ∇θ is copied, so any size pays).
 */
const optimizerPays = (theta: FloatArray, ...buffers: (FloatArray | null)[]): boolean =>
  (theta.length >= WASM_OPTIMIZER_MIN || isResident(theta)) &&
  buffers.every((b) => b === null || (b.length === theta.length && b.constructor === theta.constructor));

/** Throws unless every buffer of an optimizer's update is as long as θ. */
function checkOptimizer(op: string, theta: FloatArray, buffers: Record<string, FloatArray | null>): void {
  for (const [name, b] of Object.entries(buffers)) {
    if (b !== null && b.length !== theta.length) throw new RangeError(`${op}: ${name} has ${b.length} elements; expected θ's ${theta.length}`);
  }
}

/** The wasm form of an element-wise kernel of one operand: `name` over z's n elements into out. */
const unaryWasm = (name: string) => (z: FloatArray, out: FloatArray): FloatArray => {
  const n = z.length;
  callWasm(name, input(z, n), output(out, n), n);
  return out;
};

export const KERNEL_TABLE = {
  /** out (m×n) = a (m×k) · b (k×n) */
  matmul: row({
    js: matmulRef,
    wasm: (a, b, out, m, k, n) => gemm(false, false, a, b, out, m, k, n),
    native: (a, b, out, m, k, n) => nativeGemm(false, false, a, b, out, m, k, n),
    pays: productPays,
    check: (a, b, out, m, k, n) => checkLengths('matmul', a, b, out, m * k, k * n, m * n),
  }),
  /** out (m×n) = aᵀ · b, where a is stored k×m and b is k×n */
  matmulTN: row({
    js: matmulRefTN,
    wasm: (a, b, out, m, k, n) => gemm(true, false, a, b, out, m, k, n),
    native: (a, b, out, m, k, n) => nativeGemm(true, false, a, b, out, m, k, n),
    pays: productPays,
    check: (a, b, out, m, k, n) => checkLengths('matmulTN', a, b, out, k * m, k * n, m * n),
  }),
  /** out (m×n) = a · bᵀ, where a is stored m×k and b is n×k */
  matmulNT: row({
    js: matmulRefNT,
    wasm: (a, b, out, m, k, n) => gemm(false, true, a, b, out, m, k, n),
    native: (a, b, out, m, k, n) => nativeGemm(false, true, a, b, out, m, k, n),
    pays: productPays,
    check: (a, b, out, m, k, n) => checkLengths('matmulNT', a, b, out, m * k, n * k, m * n),
  }),
  /** out (m×n) = a · b + bias, the bias added to every row inside the module, before the copy out */
  matmulBias: row<BiasProduct>({
    js: (a, b, bias, out, m, k, n) => addRowRef(matmulRef(a, b, out, m, k, n), bias, out, m, n),
    wasm: (a, b, bias, out, m, k, n) => gemm(false, false, a, b, out, m, k, n, bias),
    native: (a, b, bias, out, m, k, n) => nativeGemm(false, false, a, b, out, m, k, n, bias),
    pays: biasProductPays,
    check: (a, b, bias, out, m, k, n) => {
      checkLengths('matmulBias', a, b, out, m * k, k * n, m * n);
      checkBias('matmulBias', bias, n);
    },
  }),
  /** out (m×n) = relu(a · b + bias), writing only m·n of out (matmulBiasAct checks the arguments) */
  matmulBiasRelu: row<BiasProduct>({
    js: (a, b, bias, out, m, k, n) => {
      const z = out.length === m * n ? out : out.subarray(0, m * n);
      reluRef(addRowRef(matmulRef(a, b, z, m, k, n), bias, z, m, n), z);
      return out;
    },
    wasm: (a, b, bias, out, m, k, n) => gemm(false, false, a, b, out, m, k, n, bias, true),
    native: (a, b, bias, out, m, k, n) => nativeGemm(false, false, a, b, out, m, k, n, bias, true),
    pays: biasProductPays,
  }),
  /** y += a · x (same length): gradient accumulation and SGD updates */
  axpy: row({
    js: axpyRef,
    wasm: (a, x, y) => {
      const n = y.length;
      callWasm('axpy', a, input(x, n), inOut(y, y, n), n);
      return y;
    },
    pays: (_a, x, y) => y.length >= WASM_AXPY_MIN && x.length >= y.length && x.constructor === y.constructor,
  }),
  /** out = x ⊙ y (same length) */
  hadamard: row({
    js: hadamardRef,
    wasm: (x, y, out) => {
      const n = x.length;
      callWasm('hadamard', input(x, n), input(y, n), output(out, n), n);
      return out;
    },
    pays: (x, y, out) => elementwisePays(x.length, out, x, y),
  }),
  /** out (rows × cols) = x + bias, the bias row added to every row: z = a W + b */
  addRow: row({
    js: addRowRef,
    wasm: (x, bias, out, rows, cols) => {
      callWasm('addRow', inOut(x, out, rows * cols), input(bias, cols), rows, cols);
      return out;
    },
    pays: (x, bias, out, rows, cols) => elementwisePays(rows * cols, out, x) && bias.length >= cols && bias.constructor === out.constructor,
  }),
  /** out (cols) = Σ_rows x, each column summed in row order */
  sumRows: row({
    js: sumRowsRef,
    wasm: (x, out, rows, cols) => {
      callWasm('sumRows', input(x, rows * cols), output(out, cols), rows, cols);
      return out;
    },
    pays: (x, out, rows, cols) => rows * cols >= WASM_ELEMENTWISE_MIN && x.length >= rows * cols && out.length === cols && x.constructor === out.constructor,
  }),
  /** out = relu(z) */
  relu: row({
    js: reluRef,
    wasm: unaryWasm('relu'),
    pays: (z, out) => elementwisePays(z.length, out, z),
  }),
  /** out = relu'(z) */
  reluGrad: row({
    js: reluGradRef,
    wasm: unaryWasm('reluGrad'),
    pays: (z, out) => elementwisePays(z.length, out, z),
  }),
  /** out = g ⊙ (1 if z > 0 else slope); the wasm form is ReLU's backward, slope 0 only, as its rule says */
  stepGrad: row({
    js: stepGradRef,
    wasm: (g, z, _slope, out) => {
      const n = g.length;
      callWasm('reluBack', input(g, n), input(z, n), output(out, n), n);
      return out;
    },
    pays: (g, z, slope, out) => Object.is(slope, 0) && elementwisePays(g.length, out, g, z),
  }),
  /** out's rows r < count = x's rows index[start + r], `width` values each (a DataLoader's batch); any numeric arrays */
  gatherRows: row({
    js: gatherRowsRef,
    // memcpy in C, split across the addon's threads: V8 copies into a shared memory (a resident batch) at half speed
    native: nativeGather,
    pays: (x, width, index, _start, count, out) => index instanceof Int32Array && x.BYTES_PER_ELEMENT === out.BYTES_PER_ELEMENT && count * width >= GATHER_NATIVE_MIN,
    check: checkGatherRows,
  }),
  /** Adam/AdamW's update of one parameter θ in place, with its moments m, v (and AMSGrad's vMax, or null) */
  adam: row({
    js: adamRef,
    wasm: (theta, grad, m, v, vMax, s) => {
      if (adamInPlace(theta, grad, m, v, vMax, s)) return theta; // resident buffers: no copies, threads
      const n = theta.length;
      const { stepSize, bias2Sqrt, beta1, beta2, eps, weightDecay, decay, sign } = s;
      const ams = vMax === null ? 0 : inOut(vMax, vMax, n);
      callWasm('adam', inOut(theta, theta, n), input(grad, n), inOut(m, m, n), inOut(v, v, n), ams, n, +(vMax !== null),
        stepSize, bias2Sqrt, beta1, beta2, eps, weightDecay, decay, sign);
      return theta;
    },
    // in C: ∇θ read where the products wrote it (no copy into the wasm memory), split across the addon's threads,
    // the products' own (the wasm pool's worker would spin for the cores they want: in a step, scripts/bench-optim.ts
    // --backend native, the wasm update split across its worker took 1.0-1.3 ms when OpenBLAS had its own threads)
    native: nativeAdam,
    pays: (theta, grad, m, v, vMax) => optimizerPays(theta, grad, m, v, vMax),
    check: (theta, grad, m, v, vMax) => checkOptimizer('adam', theta, { grad, m, v, vMax }),
  }),
  /** SGD's update of one parameter θ in place, with its momentum buffer b (unused without momentum) */
  sgd: row({
    js: sgdRef,
    wasm: (theta, grad, b, s) => {
      const n = theta.length;
      const { lr, momentum, dampening, weightDecay, nesterov, sign, first } = s;
      const buffer = momentum === 0 ? 0 : inOut(b, b, n);
      callWasm('sgd', inOut(theta, theta, n), input(grad, n), buffer, n, +(momentum !== 0), +first, +nesterov, lr, momentum, dampening, weightDecay, sign);
      return theta;
    },
    // in C, as Adam: ∇θ read where the products wrote it, split across the addon's threads (on the native backend
    // the wasm form copied θ, ∇θ and b in and out: opt.step() 0.6 ms of a 1.7 ms step, scripts/bench-optim.ts)
    native: nativeSgd,
    pays: (theta, grad, b, s) => optimizerPays(theta, grad, s.momentum === 0 ? null : b),
    check: (theta, grad, b, s) => checkOptimizer('sgd', theta, { grad, b: s.momentum === 0 ? null : b }),
  }),
  /** RMSprop's update of one parameter θ in place, with v, the centered variant's ḡ (or null), momentum buffer b */
  rmsprop: row({
    js: rmspropRef,
    check: (theta, grad, v, gAvg, b, s) => checkOptimizer('rmsprop', theta, { grad, v, gAvg, b: s.momentum > 0 ? b : null }),
  }),
  /** Adagrad's update of one parameter θ in place, with the sum of squared gradients G */
  adagrad: row({
    js: adagradRef,
    check: (theta, grad, G) => checkOptimizer('adagrad', theta, { grad, G }),
  }),
  /** Whether none of x[0..n) is NaN or ±Infinity */
  allFinite: row({
    js: allFiniteRef,
    wasm: (x, n = x.length) => callWasm('allFinite', input(x, n), n) === 1,
    pays: (x, n = x.length) => n >= WASM_ELEMENTWISE_MIN,
    check: (x, n = x.length) => {
      if (n > x.length) throw new Error(`allFinite: n is ${n} but x has ${x.length} elements`);
    },
  }),
};

type Dispatched<T> = { readonly [K in keyof T]: T[K] extends KernelRow<infer F> ? F : never };

/** The kernels as called: each row's check, then its native, wasm or JS form as the backend and the row's rule say. */
export const kernels = Object.fromEntries(
  Object.entries(KERNEL_TABLE).map(([name, r]) => [name, dispatched(r as KernelRow<Kernel>)]),
) as Dispatched<typeof KERNEL_TABLE>;
