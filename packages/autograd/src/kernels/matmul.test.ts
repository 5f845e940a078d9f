import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  backendAvailable,
  backendUnavailableReason,
  getBackend,
  getKernelThreads,
  kernelThreadsReady,
  addRow,
  relu,
  sigmoid,
  tanh,
  matmul,
  matmulBias,
  matmulBiasAct,
  matmulNT,
  matmulTN,
  setBackend,
  setKernelThreads,
} from './index.ts';
import type { DType, FloatArray } from './index.ts';
import { allocate, DTYPES } from './dtype.ts';
import {
  CHUNKS_PER_THREAD,
  gemmStats,
  gemmTuning,
  matmulRef,
  matmulRefNT,
  matmulRefTN,
  matmulWasm,
  matmulWasmNT,
  matmulWasmTN,
  WASM_MIN_MACS,
  WASM_MIN_OUTPUTS,
  WASM_THREAD_MIN_MACS,
  workerChunks,
} from './internal.ts';
import { Random } from './random.ts';

type Form = 'NN' | 'TN' | 'NT';
type Kernel = (a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number) => FloatArray;
const FORMS: Form[] = ['NN', 'TN', 'NT'];
const REF: Record<Form, Kernel> = { NN: matmulRef, TN: matmulRefTN, NT: matmulRefNT };
const WASM: Record<Form, Kernel> = { NN: matmulWasm, TN: matmulWasmTN, NT: matmulWasmNT };
const AUTO: Record<Form, Kernel> = { NN: matmul, TN: matmulTN, NT: matmulNT };
const UNIT_ROUNDOFF: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };

/** op(A)[i, p] and op(B)[p, j] for each form's storage (A k×m for TN, B n×k for NT). */
function getters(form: Form, a: FloatArray, b: FloatArray, m: number, k: number, n: number) {
  return {
    A: form === 'TN' ? (i: number, p: number) => a[p * m + i] : (i: number, p: number) => a[i * k + p],
    B: form === 'NT' ? (p: number, j: number) => b[j * k + p] : (p: number, j: number) => b[p * n + j],
  };
}

function operands(dtype: DType, m: number, k: number, n: number, seed = 7) {
  const rng = new Random(seed);
  const a = allocate(dtype, m * k).map(() => rng.uniform() * 2 - 1);
  const b = allocate(dtype, k * n).map(() => rng.uniform() * 2 - 1);
  return { a, b };
}

/**
 * Both results lie within the classic dot-product error bound of the exact product, k·u·Σ|a||b|
 * (u the unit roundoff), so they differ by at most twice that: only the summation order differs.
 */
function expectClose(form: Form, dtype: DType, got: FloatArray, want: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number) {
  const { A, B } = getters(form, a, b, m, k, n);
  const u = UNIT_ROUNDOFF[dtype];
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let mag = 0;
      for (let p = 0; p < k; p++) mag += Math.abs(A(i, p) * B(p, j));
      const bound = 2 * k * u * mag + Number.MIN_VALUE;
      const err = Math.abs(got[i * n + j] - want[i * n + j]);
      worst = Math.max(worst, err / bound);
      if (!(err <= bound)) {
        throw new Error(`${form} ${dtype} ${m}×${k}×${n}: out[${i}, ${j}] = ${got[i * n + j]}, reference ${want[i * n + j]} (|Δ| ${err} > bound ${bound})`);
      }
    }
  }
  return worst;
}

// Odd sizes around the micro-tile (4×8 f32, 4×4 f64) and block (KC 256, MC 128) edges, degenerate
// dimensions, and the workloads' shapes.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [1, 1, 9], [9, 1, 1], [2, 3, 5], [3, 2, 3], [4, 8, 8], [5, 9, 17], [7, 13, 3],
  [12, 16, 24], [31, 33, 29], [3, 257, 9], [33, 300, 65], [130, 520, 70], [129, 17, 8], [256, 2, 64],
  [256, 64, 3], [64, 256, 10],
  // the direct path of assembly/skinny.ts (k ≤ 16 or m ≤ 4): column blocks, single vectors, single columns, odd rows
  [128, 10, 256], [2, 256, 64], [3, 300, 41], [1, 40, 19], [33, 16, 37], [7, 1, 100],
];

const wasmReason = backendUnavailableReason('wasm');

describe('matrix products: reference kernels', () => {
  it('compute the textbook product of a small example in every form', () => {
    // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]] → A·B = [[58, 64], [139, 154]]
    for (const dtype of DTYPES) {
      const A = allocate(dtype, 6).map((_, i) => i + 1);
      const At = allocate(dtype, 6).map((_, i) => [1, 4, 2, 5, 3, 6][i]);
      const B = allocate(dtype, 6).map((_, i) => i + 7);
      const Bt = allocate(dtype, 6).map((_, i) => [7, 9, 11, 8, 10, 12][i]);
      const want = [58, 64, 139, 154];
      expect(Array.from(matmulRef(A, B, allocate(dtype, 4), 2, 3, 2))).toEqual(want);
      expect(Array.from(matmulRefTN(At, B, allocate(dtype, 4), 2, 3, 2))).toEqual(want);
      expect(Array.from(matmulRefNT(A, Bt, allocate(dtype, 4), 2, 3, 2))).toEqual(want);
      expect(Array.from(matmul(A, B, allocate(dtype, 4), 2, 3, 2))).toEqual(want);
    }
  });

  it('overwrite out, and give zeros for an empty inner dimension', () => {
    for (const form of FORMS) {
      const out = new Float32Array(6).fill(42);
      REF[form](new Float32Array(0), new Float32Array(0), out, 2, 0, 3);
      expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it('reject buffers shorter than the dimensions say', () => {
    expect(() => matmul(new Float32Array(5), new Float32Array(6), new Float32Array(4), 2, 3, 2)).toThrow(/matmul: buffers too short: a has 5 \(needs 6\)/);
    expect(() => matmulNT(new Float32Array(6), new Float32Array(6), new Float32Array(3), 2, 3, 2)).toThrow(/out has 3 \(needs 4\)/);
  });
});

describe('kernel backend selection', () => {
  it(`defaults to wasm when it loads (here: ${wasmReason === null ? 'it does' : `it does not: ${wasmReason}`}), unless TAPEGRAD_BACKEND=js`, () => {
    expect(getBackend()).toBe(wasmReason === null && process.env.TAPEGRAD_BACKEND !== 'js' ? 'wasm' : 'js');
    expect(backendAvailable('js')).toBe(true);
    expect(backendAvailable('wasm')).toBe(wasmReason === null);
  });

  it('rejects unknown backends and thread counts', () => {
    expect(() => setBackend('gpu' as 'js')).toThrow(/setBackend: unknown kernel backend "gpu"/);
    expect(() => setKernelThreads(0)).toThrow(/setKernelThreads/);
  });
});

describe.skipIf(wasmReason !== null)(`matrix products: wasm backend against the reference${wasmReason ? ` (skipped: ${wasmReason})` : ''}`, () => {
  const threads = getKernelThreads();
  afterAll(() => {
    setBackend('wasm');
    setKernelThreads(threads);
  });

  for (const dtype of DTYPES) {
    for (const form of FORMS) {
      it(`${form} ${dtype}: agrees on ${SHAPES.length} shapes, odd and degenerate ones included`, () => {
        for (const [m, k, n] of SHAPES) {
          const { a, b } = operands(dtype, m, k, n);
          const want = REF[form](a, b, allocate(dtype, m * n), m, k, n);
          const got = WASM[form](a, b, allocate(dtype, m * n).fill(NaN), m, k, n);
          expectClose(form, dtype, got, want, a, b, m, k, n);
        }
      });
    }
  }

  it('handles zero-size products: empty out, or zeros when k = 0', () => {
    for (const dtype of DTYPES) {
      for (const form of FORMS) {
        expect(WASM[form](allocate(dtype, 0), allocate(dtype, 0), allocate(dtype, 0), 0, 0, 0).length).toBe(0);
        expect(Array.from(WASM[form](allocate(dtype, 0), allocate(dtype, 12), allocate(dtype, 0), 0, 3, 4))).toEqual([]);
        expect(Array.from(WASM[form](allocate(dtype, 6), allocate(dtype, 0), allocate(dtype, 0), 2, 3, 0))).toEqual([]);
        expect(Array.from(WASM[form](allocate(dtype, 0), allocate(dtype, 0), allocate(dtype, 6).fill(9), 2, 0, 3))).toEqual([0, 0, 0, 0, 0, 0]);
      }
    }
  });

  it('propagates ∞ and NaN exactly as the reference (0·∞ = NaN, no zero shortcut)', () => {
    for (const dtype of DTYPES) {
      for (const form of FORMS) {
        const m = 5, k = 6, n = 9;
        const { a, b } = operands(dtype, m, k, n);
        a[0] = 0;
        a[7] = 0;
        b[0] = Infinity;
        b[10] = NaN;
        b[17] = -Infinity;
        const want = REF[form](a, b, allocate(dtype, m * n), m, k, n);
        const got = WASM[form](a, b, allocate(dtype, m * n), m, k, n);
        for (let i = 0; i < m * n; i++) {
          if (Number.isFinite(want[i])) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
          else expect(got[i]).toBe(want[i]);
        }
        expect(want.some((x) => Number.isNaN(x))).toBe(true);
      }
    }
  });

  it('reads only the first m·k and k·n elements of longer buffers, and writes only m·n of out', () => {
    const { a, b } = operands('float32', 6, 7, 9);
    const want = matmulRef(a, b, new Float32Array(54), 6, 7, 9);
    const longA = new Float32Array(100).fill(5);
    longA.set(a);
    const longB = new Float32Array(100).fill(5);
    longB.set(b);
    const out = new Float32Array(60).fill(-1);
    matmulWasm(longA, longB, out, 6, 7, 9);
    expectClose('NN', 'float32', out.subarray(0, 54), want, a, b, 6, 7, 9);
    expect(Array.from(out.subarray(54))).toEqual([-1, -1, -1, -1, -1, -1]);
  });

  it('dispatch: matmul gives the same result on either backend, small products staying in JS', () => {
    for (const [m, k, n] of [[3, 2, 3], [8, 8, 8], [1, 512, 1], [64, 48, 40]] as const) {
      for (const form of FORMS) {
        const { a, b } = operands('float64', m, k, n);
        setBackend('js');
        expect(getBackend()).toBe('js');
        const before = gemmStats.calls;
        const js = AUTO[form](a, b, allocate('float64', m * n), m, k, n);
        expect(gemmStats.calls).toBe(before);
        setBackend('wasm');
        const wasm = AUTO[form](a, b, allocate('float64', m * n), m, k, n);
        expect(gemmStats.calls).toBe(before + (m * k * n >= WASM_MIN_MACS && m * n >= WASM_MIN_OUTPUTS ? 1 : 0));
        expectClose(form, 'float64', wasm, js, a, b, m, k, n);
      }
    }
  });

  it('mixed float32/float64 operands fall back to JS under dispatch, and are refused by matmulWasm', () => {
    const a = new Float64Array(32 * 32).fill(1);
    const b = new Float32Array(32 * 32).fill(2);
    const out = new Float64Array(32 * 32);
    expect(matmul(a, b, out, 32, 32, 32)[0]).toBe(64);
    expect(() => matmulWasm(a, b, out, 32, 32, 32)).toThrow(/one dtype/);
  });

  // Products big enough to be split: by columns when n ≥ m, else by rows, with block edges that
  // are not multiples of the micro-tile.
  const BIG: [number, number, number][] = [
    [64, 130, 1001],
    [303, 260, 60],
    [128, 784, 48],
    [301, 70, 700], // column chunks over several MC-row blocks, the last one partial
    [1100, 20, 1030], // row chunks; in float64 two NC-column blocks, the last one partial
    [4099, 9, 130], // direct path (k ≤ 16), split by rows
    [3, 1500, 1003], // direct path (m ≤ 4) but for A·Bᵀ (op(B) too big to gather), split by columns
  ];

  it('large products split across worker threads agree too, in every form and dtype', async () => {
    setKernelThreads(2);
    // On a loaded machine a stalled product would make later ones back off to one thread.
    gemmTuning.backoff = false;
    onTestFinished(() => {
      gemmTuning.backoff = true;
    });
    expect(await kernelThreadsReady()).toBe(2);
    for (const [m, k, n] of BIG) expect((m * k * n) / WASM_THREAD_MIN_MACS).toBeGreaterThanOrEqual(2);
    const before = gemmStats.threaded;
    const chunksBefore = gemmStats.chunks;
    let chunksExpected = 0;
    const byWorkers = workerChunks();
    let runs = 0;
    for (const dtype of DTYPES) {
      for (const form of FORMS) {
        for (const [m, k, n] of BIG) {
          const { a, b } = operands(dtype, m, k, n, m + k + n);
          const want = REF[form](a, b, allocate(dtype, m * n), m, k, n);
          const got = AUTO[form](a, b, allocate(dtype, m * n).fill(NaN), m, k, n);
          expectClose(form, dtype, got, want, a, b, m, k, n);
          runs++;
          // CHUNKS_PER_THREAD chunks for each of the 2 threads, unless the output has fewer micro-tiles to cut
          chunksExpected += Math.min(CHUNKS_PER_THREAD * 2, n >= m ? Math.ceil(n / 8) : Math.ceil(m / 4));
        }
      }
    }
    expect(gemmStats.threaded - before).toBe(runs);
    expect(gemmStats.chunks - chunksBefore).toBe(chunksExpected);
    // The worker took part. How much depends on the scheduler, so on a loaded machine give it a
    // few more products to claim a chunk of.
    const [m, k, n] = BIG[0];
    const { a, b } = operands('float32', m, k, n);
    for (let tries = 0; tries < 50 && workerChunks() === byWorkers; tries++) matmul(a, b, new Float32Array(m * n), m, k, n);
    expect(workerChunks()).toBeGreaterThan(byWorkers);
  });

  it('one thread and two threads give bitwise-identical results (each output element is summed by one thread in the same order)', async () => {
    gemmTuning.backoff = false;
    onTestFinished(() => {
      gemmTuning.backoff = true;
    });
    // blocked, split by columns and by rows over several KC-deep, MC-row and NC-column blocks (the last ones
    // partial), and the direct path split both ways
    const cases: [number, number, number, DType][] = [
      [200, 700, 300, 'float32'],
      [301, 300, 700, 'float32'],
      [1031, 260, 1030, 'float64'],
      [4099, 9, 130, 'float32'],
      [3, 1500, 1003, 'float32'],
    ];
    for (const [m, k, n, dtype] of cases) {
      const { a, b } = operands(dtype, m, k, n);
      for (const form of FORMS) {
        setKernelThreads(1);
        const one = AUTO[form](a, b, allocate(dtype, m * n), m, k, n);
        setKernelThreads(2);
        await kernelThreadsReady();
        const threaded = gemmStats.threaded;
        const two = AUTO[form](a, b, allocate(dtype, m * n).fill(NaN), m, k, n);
        expect(gemmStats.threaded, `${form} ${m}×${k}×${n} threaded`).toBe(threaded + 1);
        expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), `${form} ${m}×${k}×${n}`).toBe(true);
      }
    }
  });
});

describe('matmulBias: z = a W + b in one call', () => {
  const shapes: [number, number, number][] = [[3, 2, 2], [256, 2, 64], [256, 64, 3], [33, 65, 67], [128, 784, 256], [7, 5, 1]];
  const backends = (['js', 'wasm'] as const).filter((name) => backendAvailable(name));
  for (const backend of backends) {
    it(`is addRow(matmul(a, W), b) bit for bit on the ${backend} backend`, () => {
      const previous = getBackend();
      setBackend(backend);
      try {
        const rng = new Random(11);
        for (const dtype of DTYPES) {
          for (const [m, k, n] of shapes) {
            const a = allocate(dtype, m * k).map(() => rng.normal());
            const w = allocate(dtype, k * n).map(() => rng.normal());
            const bias = allocate(dtype, n).map(() => rng.normal() * 10);
            const want = addRow(matmul(a, w, allocate(dtype, m * n), m, k, n), bias, allocate(dtype, m * n), m, n);
            const got = matmulBias(a, w, bias, allocate(dtype, m * n).fill(NaN), m, k, n);
            expect(got.every((v, i) => Object.is(v, want[i])), `${dtype} ${m}×${k}×${n}`).toBe(true);
          }
        }
      } finally {
        setBackend(previous);
      }
    });
  }

  for (const backend of backends) {
    it(`matmulBiasAct is act(matmulBias(…)) bit for bit on the ${backend} backend, and writes only m·n of out`, () => {
      const previous = getBackend();
      setBackend(backend);
      try {
        const rng = new Random(12);
        for (const [name, act] of [['relu', relu], ['sigmoid', sigmoid], ['tanh', tanh]] as const) {
          for (const dtype of DTYPES) {
            for (const [m, k, n] of shapes) {
              const a = allocate(dtype, m * k).map(() => rng.normal());
              const w = allocate(dtype, k * n).map(() => rng.normal());
              const bias = allocate(dtype, n).map(() => rng.normal());
              const z = matmulBias(a, w, bias, allocate(dtype, m * n), m, k, n);
              const want = act.f(z, allocate(dtype, m * n));
              const got = matmulBiasAct(a, w, bias, name, allocate(dtype, m * n + 3).fill(NaN), m, k, n);
              expect(got.subarray(0, m * n).every((v, i) => Object.is(v, want[i])), `${name} ${dtype} ${m}×${k}×${n}`).toBe(true);
              expect(Array.from(got.subarray(m * n)).every(Number.isNaN)).toBe(true);
            }
          }
        }
      } finally {
        setBackend(previous);
      }
    });
  }

  it('checks its buffers', () => {
    expect(() => matmulBiasAct(new Float64Array(6), new Float64Array(6), new Float64Array(1), 'relu', new Float64Array(4), 2, 3, 2)).toThrow(
      'matmulBiasAct: bias too short: it has 1 (needs 2)',
    );
    expect(() => matmulBiasAct(new Float64Array(6), new Float64Array(6), new Float64Array(2), 'gelu' as 'relu', new Float64Array(4), 2, 3, 2)).toThrow(
      'matmulBiasAct: activation "gelu"; expected relu, sigmoid or tanh',
    );
    expect(() => matmulBias(new Float64Array(6), new Float64Array(6), new Float64Array(2), new Float64Array(4), 2, 3, 2)).not.toThrow();
    expect(() => matmulBias(new Float64Array(6), new Float64Array(6), new Float64Array(1), new Float64Array(4), 2, 3, 2)).toThrow(
      'matmulBias: bias too short: it has 1 (needs 2)',
    );
  });
});
