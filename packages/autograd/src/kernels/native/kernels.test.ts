import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { backendUnavailableReason, getBackend, setBackend } from '../backend.ts';
import type { FloatArray } from '../dtype.ts';
import { allocate, DTYPES } from '../dtype.ts';
import { matmul, matmulBiasAct, matmulNT, matmulTN } from '../matmul.ts';
import { openblasCoreFor } from '../platform/node-native.ts';
import { Random } from '../random.ts';
import { adamRef, gatherRowsRef, matmulRef, matmulRefNT, matmulRefTN, sgdRef } from '../reference.ts';
import { residentArray } from '../wasm/resident.ts';
import { getKernelThreads, setKernelThreads } from '../wasm/gemm.ts';
import { nativeAdam, nativeCore, nativeGather, nativeGemm, nativeSgd } from './kernels.ts';

// The native backend (OpenBLAS through native/kernels.c): where it compiles here (gcc, libopenblas-dev, Node's
// headers), its products against the reference loops on shapes the table test does not reach (transposes over
// views at an offset, an empty sum, threads), the backend switch, and the errors where it cannot be built.

const reason = backendUnavailableReason('native');
const skip = reason === null ? '' : ` (skipped: ${reason})`;

const filled = (dtype: (typeof DTYPES)[number], n: number, rng: Random): FloatArray => allocate(dtype, n).map(() => rng.normal());

/** The first index where x and y differ in bits (or in length), else -1: toEqual over 10⁵ elements takes seconds. */
function firstDifference(x: FloatArray, y: FloatArray): number {
  if (x.length !== y.length) return Math.min(x.length, y.length);
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  for (let i = 0; i < bx.length; i++) if (bx[i] !== by[i]) return Math.floor(i / x.BYTES_PER_ELEMENT);
  return -1;
}

/** Every array of `want` equal in bits to the same-named one of `got`. */
function expectSameBits(got: Record<string, FloatArray>, want: Record<string, FloatArray>, label: string): void {
  for (const [key, w] of Object.entries(want)) expect(firstDifference(got[key] as FloatArray, w), `${key}: ${label}`).toBe(-1);
}

/** fn at each of these kernel thread counts in turn; the count is restored after. */
function onThreads(counts: readonly number[], fn: (threads: number) => void): void {
  const saved = getKernelThreads();
  try {
    for (const t of counts) {
      setKernelThreads(t);
      fn(t);
    }
  } finally {
    setKernelThreads(saved);
  }
}

/** The thread counts the splits are tested at: none, an even, an odd and more than this machine may have. */
const COUNTS = [1, 2, 3, 5] as const;

/** max |got − want| over the classic bound 2·k·u·Σ|a||b| (≤ 1 passes) */
function worstRatio(got: FloatArray, want: FloatArray, bound: FloatArray, k: number, u: number): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (2 * k * u * bound[i] + Number.MIN_VALUE));
  return worst;
}

describe('the OpenBLAS kernel set', () => {
  it("is the AVX-512 one where the CPU has AVX-512, the AVX2 one where it has AVX2 and FMA, else OpenBLAS's own choice", () => {
    expect(openblasCoreFor(new Set(['sse2', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl']))).toBe('SkylakeX');
    expect(openblasCoreFor(new Set(['sse2', 'avx2', 'fma', 'avx512f']))).toBe('Haswell');
    expect(openblasCoreFor(new Set(['sse2', 'avx2']))).toBeUndefined();
    expect(openblasCoreFor(new Set())).toBeUndefined();
  });
});

describe.skipIf(reason !== null)(`native products${skip}`, () => {
  it('names the kernel set OpenBLAS runs', () => {
    expect(nativeCore()).toMatch(/^\w+$/);
  });

  for (const dtype of DTYPES) {
    it(`${dtype}: all three forms over views at an offset, in shared memory or not, within rounding of the reference`, () => {
      const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
      const rng = new Random(7);
      const [m, k, n] = [67, 129, 45];
      const forms = [
        { t: [false, false], ref: matmulRef, aLen: m * k, bLen: k * n },
        { t: [true, false], ref: matmulRefTN, aLen: k * m, bLen: k * n },
        { t: [false, true], ref: matmulRefNT, aLen: m * k, bLen: n * k },
      ] as const;
      for (const { t, ref, aLen, bLen } of forms) {
        for (const shared of [false, true]) {
          const make = (len: number): FloatArray => {
            const x = shared ? (residentArray(dtype, len + 3) ?? allocate(dtype, len + 3)) : allocate(dtype, len + 3);
            x.set(filled(dtype, len + 3, rng));
            return x.subarray(3); // 3 elements in: the addon must start at the view's own offset
          };
          const a = make(aLen);
          const b = make(bLen);
          const out = make(m * n);
          nativeGemm(t[0], t[1], a, b, out, m, k, n);
          const want = ref(a, b, allocate(dtype, m * n), m, k, n);
          const bound = ref(a.map(Math.abs), b.map(Math.abs), allocate(dtype, m * n), m, k, n);
          expect(worstRatio(out, want, bound, k, u), `${t} shared ${shared}`).toBeLessThanOrEqual(1);
        }
      }
    });
  }

  it('an empty sum (k = 0) writes zeros; bias and ReLU are applied after the product', () => {
    const out = new Float64Array(6).fill(Number.NaN);
    nativeGemm(false, false, new Float64Array(0), new Float64Array(0), out, 2, 0, 3);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
    const a = new Float32Array([1, 2, -3, 4]); // 2×2
    const w = new Float32Array([1, 0, 0, 1]); // I
    const bias = new Float32Array([0.5, -10]);
    expect([...nativeGemm(false, false, a, w, new Float32Array(4), 2, 2, 2, bias, false)]).toEqual([1.5, -8, -2.5, -6]);
    expect([...nativeGemm(false, false, a, w, new Float32Array(4), 2, 2, 2, bias, true)]).toEqual([1.5, 0, 0, 0]);
  });

  it("Adam's update refuses buffers of another length or dtype than θ's (the table checks lengths first)", () => {
    const s = { stepSize: 1e-3, bias2Sqrt: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decay: 1, sign: 1 };
    const f = () => new Float32Array(8);
    expect(() => nativeAdam(f(), f(), f(), new Float32Array(7), null, s)).toThrow(/adam: theta, grad, m, v and vMax must share one dtype and length/);
    expect(() => nativeAdam(f(), f(), f(), f(), new Float64Array(8), s)).toThrow(/adam: theta, grad, m, v and vMax must share one dtype and length/);
  });

  it('refuses operands of two dtypes or that are not float arrays (the table sends those to JS)', () => {
    const f = new Float32Array(4);
    expect(() => nativeGemm(false, false, f, new Float64Array(4), f, 2, 2, 2)).toThrow(/gemm: a, b, out and bias must share one dtype/);
    expect(() => nativeGemm(false, false, new Int32Array(4) as unknown as Float32Array, f, f, 2, 2, 2)).toThrow(/gemm: a is not a float array/);
  });

  it("splits products by rows or by columns across the addon's threads (at 1, 2, 3 and 5), each within rounding, bias and ReLU on every block", () => {
    const rng = new Random(11);
    // [m, k, n]: a step's batch (by rows); too few rows but wide (by columns); tall and narrow (rows); too small to
    // split; by rows on 2 threads and by columns (not a whole number of cache lines) on 3 and 5
    const shapes = [[128, 200, 256], [20, 600, 256], [1000, 150, 10], [8, 8, 8], [37, 400, 133]] as const;
    for (const dtype of DTYPES) {
      const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
      for (const [m, k, n] of shapes) {
        for (const [tA, tB] of [[false, false], [true, false], [false, true]] as const) {
          const a = filled(dtype, m * k, rng);
          const b = filled(dtype, k * n, rng);
          const bias = filled(dtype, n, rng);
          const ref = tA ? matmulRefTN : tB ? matmulRefNT : matmulRef;
          const want = ref(a, b, allocate(dtype, m * n), m, k, n);
          const bound = ref(a.map(Math.abs), b.map(Math.abs), allocate(dtype, m * n), m, k, n);
          onThreads(COUNTS, (t) => {
            const label = `${dtype} ${m}×${k}×${n} ${tA ? 'aᵀ' : 'a'}·${tB ? 'bᵀ' : 'b'} on ${t}`;
            const z = nativeGemm(tA, tB, a, b, allocate(dtype, m * n), m, k, n);
            expect(worstRatio(z, want, bound, k, u), label).toBeLessThanOrEqual(1);
            expect(firstDifference(nativeGemm(tA, tB, a, b, allocate(dtype, m * n), m, k, n), z), label).toBe(-1);
            const act = z.map((x, i) => Math.max(0, x + bias[i % n]));
            expect(firstDifference(nativeGemm(tA, tB, a, b, allocate(dtype, m * n), m, k, n, bias, true), act), label).toBe(-1);
          });
        }
      }
    }
  });

  it("splits Adam's update across the addon's threads without changing a bit (AdamW, L2, AMSGrad; ragged ends)", () => {
    const rng = new Random(12);
    const n = 100_003; // several parts of 2¹⁴, the last one short
    const cases = [
      { weightDecay: 0, decay: 1, ams: false },
      { weightDecay: 0.01, decay: 1, ams: true },
      { weightDecay: 0, decay: 1 - 1e-5, ams: false },
    ];
    for (const dtype of DTYPES) {
      for (const c of cases) {
        const start = { theta: filled(dtype, n, rng), grad: filled(dtype, n, rng), m: filled(dtype, n, rng), v: filled(dtype, n, rng).map(Math.abs), vMax: filled(dtype, n, rng).map(Math.abs) };
        const s = { stepSize: 1e-3, bias2Sqrt: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: c.weightDecay, decay: c.decay, sign: 1 };
        const want = { theta: start.theta.slice(), m: start.m.slice(), v: start.v.slice(), vMax: start.vMax.slice() };
        adamRef(want.theta, start.grad, want.m, want.v, c.ams ? want.vMax : null, s);
        onThreads(COUNTS, (t) => {
          const got = { theta: start.theta.slice(), m: start.m.slice(), v: start.v.slice(), vMax: start.vMax.slice() };
          nativeAdam(got.theta, start.grad, got.m, got.v, c.ams ? got.vMax : null, s);
          expectSameBits(got, want, `${dtype} ${JSON.stringify(c)} on ${t}`);
        });
      }
    }
  });

  it("splits SGD's update across the addon's threads without changing a bit (momentum's first and later steps, Nesterov, L2)", () => {
    const rng = new Random(14);
    const n = 100_003;
    const base = { lr: 0.01, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, sign: 1, first: false };
    const cases = [base, { ...base, weightDecay: 0.1, sign: -1 }, { ...base, momentum: 0.9, first: true }, { ...base, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }, { ...base, momentum: 0.5, nesterov: true }];
    for (const dtype of DTYPES) {
      for (const c of cases) {
        const start = { theta: filled(dtype, n, rng), grad: filled(dtype, n, rng), b: filled(dtype, n, rng) };
        const want = { theta: start.theta.slice(), b: start.b.slice() };
        sgdRef(want.theta, start.grad, want.b, c);
        onThreads(COUNTS, (t) => {
          const got = { theta: start.theta.slice(), b: start.b.slice() };
          nativeSgd(got.theta, start.grad, got.b, c);
          expectSameBits(got, want, `${dtype} ${JSON.stringify(c)} on ${t}`);
        });
      }
    }
    const f = () => new Float32Array(8);
    expect(() => nativeSgd(f(), new Float32Array(7), f(), base)).toThrow(/sgd: theta, grad and b must share one dtype and length/);
  });

  it('gathers rows of any element size across the threads, as the JS copies do, and refuses what would read or write outside', () => {
    const rng = new Random(13);
    const [rows, width, count] = [2000, 784, 300]; // 300 rows of 784 bytes … float64: 1 to 8 parts of 64 KB
    const index = Int32Array.from({ length: count + 9 }, () => Math.floor(rng.uniform() * rows));
    index.set([0, rows - 1, 5, 5], 9);
    for (const make of [(n: number) => new Uint8Array(n), (n: number) => new Int32Array(n), (n: number) => new Float64Array(n)]) {
      const x = make(rows * width).map(() => Math.floor(rng.uniform() * 250));
      const want = gatherRowsRef(x, width, index, 9, count, make(count * width));
      onThreads([1, 2, 3], (t) => {
        const got = nativeGather(x, width, index, 9, count, make(count * width));
        expect(firstDifference(got as unknown as FloatArray, want as unknown as FloatArray), `${x.constructor.name} on ${t}`).toBe(-1);
      });
    }
    const x = new Float32Array(40);
    const out = new Float32Array(8);
    expect(() => nativeGather(x, 4, Int32Array.of(0, 10), 0, 2, out)).toThrow(/gather: an index, start, count or width is out of range/);
    expect(() => nativeGather(x, 4, Int32Array.of(0, -1), 0, 2, out)).toThrow(/out of range/);
    expect(() => nativeGather(x, 4, Int32Array.of(0, 1), 1, 2, out)).toThrow(/out of range/); // past the index's end
    expect(() => nativeGather(x, 4, Int32Array.of(0, 1, 2), 0, 3, out)).toThrow(/out of range/); // out too short
    expect(() => nativeGather(x, 4, Int32Array.of(0), 0, 1, new Float64Array(8) as never)).toThrow(/gather: x and out must share an element size/);
    expect(() => nativeGather(x, 4, Float32Array.of(0) as unknown as Int32Array, 0, 1, out)).toThrow(/index must be an Int32Array/); // 4 bytes, not indices
  });

  it('on the native backend the products go to OpenBLAS (bit for bit nativeGemm on as many threads), the same each time', () => {
    const rng = new Random(3);
    const [m, k, n] = [128, 300, 64];
    const a = filled('float32', m * k, rng);
    const b = filled('float32', k * n, rng);
    const bias = filled('float32', n, rng);
    const previous = getBackend();
    setBackend('native');
    try {
      onThreads([1, 2], () => {
        const direct = nativeGemm(false, false, a, b, new Float32Array(m * n), m, k, n, bias, true);
        expect(nativeGemm(false, false, a, b, new Float32Array(m * n), m, k, n, bias, true)).toEqual(direct);
        expect(matmulBiasAct(a, b, bias, 'relu', new Float32Array(m * n), m, k, n)).toEqual(direct);
        const c = matmul(a, b, new Float32Array(m * n), m, k, n);
        expect(matmulTN(a, c, new Float32Array(k * n), k, m, n)).toEqual(nativeGemm(true, false, a, c, new Float32Array(k * n), k, m, n));
        expect(matmulNT(c, b, new Float32Array(m * k), m, n, k)).toEqual(nativeGemm(false, true, c, b, new Float32Array(m * k), m, n, k));
      });
    } finally {
      setBackend(previous);
    }
  });
});

describe('where the native kernels cannot be built', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-native-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });

  it('says which compiler failed and what to install, and leaves nothing half-written in the cache', async () => {
    vi.stubEnv('CC', join(dir, 'no-such-cc'));
    vi.stubEnv('TAPEGRAD_NATIVE_DIR', join(dir, 'cache')); // not there yet: made
    vi.resetModules(); // a fresh loader: the one above has its addon (or its reason) already
    const { nativeKernels, nodeIncludeDir } = await import('../platform/node-native.ts');
    const got = nativeKernels();
    expect(typeof got).toBe('string');
    const includes = (await import('node:fs')).existsSync(join(nodeIncludeDir(), 'node_api.h'));
    if (includes) {
      expect(got).toMatch(/cannot compile .*kernels\.c .*pool\.c .*products\.c with .*no-such-cc -lopenblas: the native kernels need a C compiler and OpenBLAS's development files \(Debian\/Ubuntu: apt-get install gcc libopenblas-dev\)/);
    } else {
      expect(got).toMatch(/Node's headers are not installed \(no node_api\.h in /);
    }
    expect(nativeKernels()).toBe(got); // asked once: a second call does not compile again
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
  });

  it.skipIf(backendUnavailableReason('native') !== null)('a compiler that refuses -march=native builds for its baseline instead, which computes the same', async () => {
    // a cc that logs its arguments and refuses -march=native, as some clang builds do, else runs the real one
    const log = join(dir, 'cc.log');
    const cc = join(dir, 'picky-cc');
    writeFileSync(cc, `#!/bin/sh\necho "$*" >> ${log}\ncase " $* " in *" -march=native "*) echo "unsupported option -march=native" >&2; exit 1;; esac\nexec cc "$@"\n`);
    chmodSync(cc, 0o755);
    vi.stubEnv('CC', cc);
    vi.stubEnv('TAPEGRAD_NATIVE_DIR', join(dir, 'picky'));
    vi.resetModules();
    const { nativeKernels } = await import('../platform/node-native.ts');
    const got = nativeKernels();
    if (typeof got === 'string') throw new Error(got);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toContain('-march=native');
    expect(calls[1]).not.toContain('-march');
    // Adam's update from the baseline build: the reference's bits, as from the one this process loaded (the table test)
    const rng = new Random(9);
    for (const dtype of DTYPES) {
      const a = { theta: filled(dtype, 1000, rng), grad: filled(dtype, 1000, rng), m: filled(dtype, 1000, rng), v: filled(dtype, 1000, rng).map(Math.abs) };
      const b = { theta: a.theta.slice(), grad: a.grad.slice(), m: a.m.slice(), v: a.v.slice() };
      const s = { stepSize: 1e-3, bias2Sqrt: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decay: 1, sign: 1 };
      got.adam(a.theta, a.grad, a.m, a.v, null, s.stepSize, s.bias2Sqrt, s.beta1, s.beta2, s.eps, s.weightDecay, s.decay, s.sign);
      adamRef(b.theta, b.grad, b.m, b.v, null, s);
      expect(a).toEqual(b);
    }
    expect(readdirSync(join(dir, 'picky')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
