import { describe, expect, it } from 'vitest';
import { backendUnavailableReason } from './backend.ts';
import type { DType, FloatArray } from './dtype.ts';
import { allocate, dtypeOf, DTYPES } from './dtype.ts';
import { Random } from './random.ts';
import type { KernelRow } from './table.ts';
import { adamScalars } from './optimizers.ts';
import { GATHER_NATIVE_MIN, KERNEL_TABLE, kernels, WASM_AXPY_MIN, WASM_ELEMENTWISE_MIN, WASM_MIN_MACS, WASM_OPTIMIZER_MIN } from './table.ts';
import { residentArray } from './wasm/resident.ts';

// The kernel table as a whole: every row has its JS reference, and every wasm and native form gives what its
// reference gives, on both dtypes, on arguments its size rule sends there. Element-wise rows must agree bit for bit (specials
// included); the matrix products sum in another order, so each output may differ by the classic bound
// 2·k·u·Σ|a||b| (u the unit roundoff), here with k counting the bias as one more term. The kernels' own tests
// (matmul.test.ts, elementwise.test.ts) go further on each: odd shapes, threads, composites, and which backend
// a call takes (gemmStats).

type Row = KernelRow<(a: never, b: never, c: never, d: never, e: never, f: never, g: never) => unknown>;
const ROWS = Object.entries(KERNEL_TABLE) as [string, Row][];

/** Arguments for one call of a row, from `make(n)` (n elements of the dtype); `terms`: the products' sum length. */
interface Sample {
  args: (make: (n: number) => FloatArray) => unknown[][];
  terms?: (args: unknown[]) => number;
}

const E = WASM_ELEMENTWISE_MIN + 3; // odd, so the SIMD loops' tails run too
const [M, K, N] = [33, 29, 37]; // 35 409 multiply-adds: past WASM_MIN_MACS, not cut into threads
const product: Sample = { args: (make) => [[make(M * K), make(K * N), make(M * N), M, K, N]], terms: () => K };
const biasProduct: Sample = { args: (make) => [[make(M * K), make(K * N), make(N), make(M * N), M, K, N]], terms: () => K + 1 };

/** Every row with a wasm or native form needs one: adding a row without it fails the first test below. */
const SAMPLES: Record<string, Sample> = {
  matmul: product,
  matmulTN: product,
  matmulNT: product,
  matmulBias: biasProduct,
  matmulBiasRelu: biasProduct,
  // a = 1 takes the wasm loop's float32 shortcut; x, y with ±0, ±∞, NaN, subnormals and an overflow side by side
  axpy: {
    args: (make) =>
      [WASM_AXPY_MIN, WASM_AXPY_MIN + 1, 3 * WASM_AXPY_MIN + 7].flatMap((n) =>
        [-0.01, 1, 1 / 3].map((a) => {
          const x = make(n);
          const y = make(n);
          x.set([0, -0, Infinity, -Infinity, NaN, 1e-40, 3.4e38], 0);
          y.set([-0, 0, 1, Infinity, 2, -1e-40, 3.4e38], 0);
          return [a, x, y];
        }),
      ),
  },
  hadamard: { args: (make) => [[make(E), make(E), make(E)]] },
  addRow: { args: (make) => [[make(E * 7), make(7), make(E * 7), E, 7], [make(E * 64), make(64), make(E * 64), E, 64]] },
  sumRows: { args: (make) => [[make(E * 7), make(7), E, 7], [make(3 * E), make(E), 3, E]] },
  relu: { args: (make) => [[make(E), make(E)]] },
  reluGrad: { args: (make) => [[make(E), make(E)]] },
  stepGrad: { args: (make) => [[make(E), make(E), 0, make(E)]] },
  // Adam at steps 1 and 7, plain, with L2 decay, decoupled decay, AMSGrad and maximize; v and vMax kept ≥ 0 as
  // they are in training (specials still reach them through g², and θ and m carry every special)
  adam: {
    args: (make) => {
      const n = WASM_OPTIMIZER_MIN + 3;
      const hyper = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0, maximize: false };
      const cases = [
        { t: 1, decoupled: false, ams: false, o: hyper },
        { t: 7, decoupled: false, ams: true, o: { ...hyper, weightDecay: 0.01 } },
        { t: 7, decoupled: true, ams: false, o: { ...hyper, weightDecay: 0.01, maximize: true } },
        { t: 3, decoupled: true, ams: true, o: { ...hyper, lr: 0.3, betas: [0.5, 0.75] as const, eps: 0.1, weightDecay: 0.5 } },
      ];
      return cases.map(({ t, decoupled, ams, o }) => {
        const nonNegative = (x: FloatArray) => x.map((y) => Math.abs(y));
        return [make(n), make(n), make(n), nonNegative(make(n)), ams ? nonNegative(make(n)) : null, adamScalars(o, t, decoupled)];
      });
    },
  },
  // SGD plain, with L2 decay and maximize, with momentum on its first and a later step, dampened, and Nesterov's
  sgd: {
    args: (make) => {
      const n = WASM_OPTIMIZER_MIN + 1;
      const base = { lr: 0.01, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, sign: 1, first: false };
      return [
        base,
        { ...base, weightDecay: 0.1, sign: -1 },
        { ...base, momentum: 0.9, first: true },
        { ...base, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 },
        { ...base, momentum: 0.5, nesterov: true },
      ].map((s) => [make(n), make(n), make(n), s]);
    },
  },
  // a batch's rows from an offset into the order: repeats, the first and the last row (x's values are the dtype's)
  gatherRows: {
    args: (make) => {
      const [rows, width, count] = [300, 70, 250];
      const index = Int32Array.from({ length: count + 5 }, (_, i) => (i * 7919) % rows);
      index.set([0, rows - 1, 17, 17], 5);
      return [[make(rows * width), width, index, 5, count, make(count * width)]];
    },
  },
  allFinite: {
    args: (make) => {
      const finite = make(E).map((v) => (Number.isFinite(v) ? v : 1));
      const withNaN = finite.slice();
      withNaN[E - 2] = NaN;
      return [[finite], [withNaN], [withNaN, E - 2]];
    },
  },
};

const SPECIALS = [0, -0, 1, -1, NaN, Infinity, -Infinity, 5e-324, -5e-324, 1.7e308, -1.7e308, 3.4e38, 1e-45, 0.5, -0.25];

/** n elements of `dtype`: the specials first (unless `plain`), then normals. */
function maker(dtype: DType, rng: Random, plain: boolean): (n: number) => FloatArray {
  return (n) => allocate(dtype, n).map((_, i) => (!plain && i < SPECIALS.length ? SPECIALS[i] : rng.normal() * 10));
}

const copy = (args: unknown[]): unknown[] => args.map((a) => (ArrayBuffer.isView(a) ? (a as FloatArray).slice() : a));
const isFloats = (a: unknown): a is FloatArray => a instanceof Float32Array || a instanceof Float64Array;
/** The arguments with every array copied into a resident one (wasm/resident.ts), which the wasm forms use in place. */
const resident = (args: unknown[]): unknown[] =>
  args.map((a) => {
    if (!isFloats(a)) return ArrayBuffer.isView(a) ? (a as FloatArray).slice() : a; // an index stays an index
    const x = a;
    const r = residentArray(dtypeOf(x), x.length) as FloatArray;
    r.set(x);
    return r;
  });
const abs = (args: unknown[]): unknown[] => args.map((a) => (isFloats(a) ? a.map(Math.abs) : a));

describe('the kernel table', () => {
  it('has a JS reference in every row, and a size rule and a test sample for every wasm or native form', () => {
    expect(ROWS.length).toBeGreaterThan(0);
    for (const [name, row] of ROWS) {
      expect(typeof row.js, name).toBe('function');
      expect(typeof kernels[name as keyof typeof kernels], name).toBe('function');
      if (row.wasm === undefined && row.native === undefined) continue;
      expect(typeof row.pays, `${name}: a wasm or native form needs a size rule`).toBe('function');
      expect(SAMPLES[name], `${name}: add a sample of arguments to SAMPLES in table.test.ts`).toBeDefined();
    }
  });

  it('thresholds: the products from WASM_MIN_MACS multiply-adds, axpy and the rest from their element counts', () => {
    const f32 = (n: number) => new Float32Array(n);
    const pays = (name: string, args: unknown[]) => (KERNEL_TABLE[name as keyof typeof KERNEL_TABLE].pays as (...a: unknown[]) => boolean)(...args);
    const k = WASM_MIN_MACS / 64; // 8×k×8: exactly WASM_MIN_MACS multiply-adds, 64 outputs
    expect(pays('matmul', [f32(8 * k), f32(8 * k), f32(64), 8, k, 8])).toBe(true);
    expect(pays('matmul', [f32(8 * k), f32(8 * k), f32(64), 8, k - 1, 8])).toBe(false);
    expect(pays('matmul', [f32(8 * k), new Float64Array(8 * k), f32(64), 8, k, 8])).toBe(false); // mixed dtypes stay in JS
    expect(pays('matmul', [f32(4 * k * 16), f32(4 * k * 16), f32(4), 1, 4 * k * 16, 4])).toBe(false); // under WASM_MIN_OUTPUTS
    expect(pays('hadamard', [f32(WASM_ELEMENTWISE_MIN), f32(WASM_ELEMENTWISE_MIN), f32(WASM_ELEMENTWISE_MIN)])).toBe(true);
    expect(pays('hadamard', [f32(WASM_ELEMENTWISE_MIN - 1), f32(WASM_ELEMENTWISE_MIN), f32(WASM_ELEMENTWISE_MIN)])).toBe(false);
    expect(pays('axpy', [2, f32(WASM_AXPY_MIN - 1), f32(WASM_AXPY_MIN - 1)])).toBe(false);
    expect(pays('stepGrad', [f32(E), f32(E), 0.01, f32(E)])).toBe(false); // leaky slopes have no wasm form
    const o = WASM_OPTIMIZER_MIN;
    expect(pays('adam', [f32(o), f32(o), f32(o), f32(o), null])).toBe(true);
    expect(pays('adam', [f32(o - 1), f32(o - 1), f32(o - 1), f32(o - 1), null])).toBe(false);
    expect(pays('adam', [f32(o), f32(o), new Float64Array(o), f32(o), null])).toBe(false);
    const r = residentArray('float32', 16);
    if (r !== null) expect(pays('adam', [r, f32(16), f32(16), f32(16), null])).toBe(true); // resident θ: any size
    const g = GATHER_NATIVE_MIN / 64; // g rows of 64: exactly GATHER_NATIVE_MIN elements
    const order = new Int32Array(g);
    expect(pays('gatherRows', [f32(g * 64), 64, order, 0, g, f32(g * 64)])).toBe(true);
    expect(pays('gatherRows', [f32(g * 64), 64, order, 0, g - 1, f32(g * 64)])).toBe(false);
    expect(pays('gatherRows', [f32(g * 64), 64, Array.from(order), 0, g, f32(g * 64)])).toBe(false); // a plain array of indices
    expect(pays('gatherRows', [new Uint8Array(g * 64), 64, order, 0, g, new Uint8Array(g * 64)])).toBe(true); // images as bytes
    expect(pays('gatherRows', [new Uint8Array(g * 64), 64, order, 0, g, f32(g * 64)])).toBe(false); // converting: JS
  });

  const cases = (['wasm', 'native'] as const).flatMap((form) => DTYPES.flatMap((d) => [[form, d, 'copied'], [form, d, 'resident']] as const));
  for (const [form, dtype, where] of cases) {
    const reason = backendUnavailableReason(form);
    const skip = where === 'copied' || reason !== null ? reason : residentArray('float32', 1) === null ? 'no shared memory for resident arrays here' : null;
    it.skipIf(skip !== null)(`${dtype}: every ${form} form gives its JS reference's values, its arrays ${where}${skip ? ` (skipped: ${skip})` : ''}`, () => {
      const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
      for (const [name, row] of ROWS) {
        if (row[form] === undefined) continue;
        const { args, terms } = SAMPLES[name];
        const rng = new Random(name.length * 101 + dtype.length);
        for (const sample of args(maker(dtype, rng, terms !== undefined))) {
          const what = `${name} ${dtype} (${sample.map((a) => (ArrayBuffer.isView(a) ? (a as FloatArray).length : a)).join(', ')})`;
          expect((row.pays as (...a: unknown[]) => boolean)(...sample), `${what}: the sample must be above the size rule`).toBe(true);
          const jsArgs = copy(sample);
          const fastArgs = where === 'copied' ? copy(sample) : resident(sample);
          const js = row.js as (...a: unknown[]) => unknown;
          const fast = row[form] as (...a: unknown[]) => unknown;
          const want = js(...jsArgs);
          const got = fast(...fastArgs);
          if (!ArrayBuffer.isView(want)) expect(got, what).toBe(want);
          const bound = terms === undefined ? null : (js(...abs(sample)) as FloatArray);
          for (let i = 0; i < sample.length; i++) {
            if (!ArrayBuffer.isView(sample[i])) continue;
            const w = jsArgs[i] as FloatArray;
            const g = fastArgs[i] as FloatArray;
            if (bound === null) {
              const first = w.findIndex((v, j) => !Object.is(v, g[j]));
              expect(first, `${what}: argument ${i} differs at ${first}: ${form} ${g[first]}, js ${w[first]}`).toBe(-1);
            } else if (w.length === bound.length) {
              const k = (terms as (a: unknown[]) => number)(sample);
              const worst = w.findIndex((v, j) => !(Math.abs(g[j] - v) <= 2 * k * u * bound[j] + Number.MIN_VALUE));
              expect(worst, `${what}: out[${worst}] ${form} ${g[worst]}, js ${w[worst]}`).toBe(-1);
            }
          }
        }
      }
    });
  }
});
