import { afterAll, describe, expect, it } from 'vitest';
import { backendUnavailableReason, getBackend, getKernelThreads, kernelThreadsReady, matmul, matmulBiasAct, matmulNT, matmulTN, setBackend, setKernelThreads } from '../index.ts';
import { Random } from '../random.ts';
import { gemmTuning } from './pool.ts';
import { localArena, sharedArena } from './instance.ts';

// The wasm GEMM leaves out the steps of k where a 4-row micro-panel of op(A) holds four zeros (assembly/zero-steps.ts),
// and claims the same bits as computing them. Checked without trusting the GEMM's own bookkeeping: each row of op(A)
// is multiplied twice, once among rows that share its zero steps (they are left out) and once among three dense rows
// (nothing is left out), and the two results must agree bit for bit, NaNs included.

const reason = backendUnavailableReason('wasm');

/** op(A) as rows: in every group of 4 rows, half of the steps are zero in all 4, and a tenth of the rest are zero. */
function sparseRows(m: number, k: number, rng: Random): number[][] {
  const rows = Array.from({ length: m }, () => new Array<number>(k).fill(0));
  for (let g = 0; g < m; g += 4) {
    for (let p = 0; p < k; p++) {
      if (rng.uniform() < 0.5) continue;
      for (let r = g; r < Math.min(g + 4, m); r++) rows[r][p] = rng.uniform() < 0.1 ? 0 : rng.uniform() * 2 - 1;
    }
  }
  return rows;
}

/** Row i of `rows` at row 4i, with three rows of nonzero values after it: no step of its micro-panel is all zero. */
function amongDense(rows: number[][], rng: Random): number[][] {
  return rows.flatMap((row) => [row, ...[1, 2, 3].map(() => row.map(() => rng.uniform() + 0.5))]);
}

/** op(A) (rows) in the layout a form takes: row-major m×k, or transposed (stored k×m) for matmulTN. */
function stored(rows: number[][], trans: boolean): Float32Array {
  const m = rows.length;
  const k = rows[0].length;
  const a = new Float32Array(m * k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[trans ? p * m + i : i * k + p] = rows[i][p];
  return a;
}

type Product = (a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number) => Float32Array;
const FORMS: [string, boolean, Product][] = [
  ['A·B', false, matmul as Product],
  ['Aᵀ·B', true, matmulTN as Product],
  ['A·Bᵀ', false, matmulNT as Product],
];

/** Row i of the product of `rows`, as bits, for every i: the result's rows, or every fourth row when `spread`. */
function rowBits(out: Float32Array, m: number, n: number, spread: boolean): Uint32Array[] {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  return Array.from({ length: m }, (_, i) => bits.slice((spread ? 4 * i : i) * n, ((spread ? 4 * i : i) + 1) * n));
}

const leftOut = (): number => localArena().export('gemmStepsLeftOut')() + (sharedArena()?.export('gemmStepsLeftOut')() ?? 0);

describe.skipIf(reason !== null)(`wasm products: steps of four zeros left out${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const [backend, threads] = [getBackend(), getKernelThreads()];
  afterAll(() => {
    setBackend(backend);
    setKernelThreads(threads);
    gemmTuning.backoff = true;
  });

  // several KC-deep slices (the last one partial), MC-row blocks, and edge tiles on both sides
  const SHAPES: [number, number, number][] = [
    [50, 600, 70],
    [150, 300, 37],
    [37, 260, 300],
  ];

  for (const threadCount of [1, 2]) {
    it(`give the bits of computing them, in every form, on ${threadCount} thread(s)`, async () => {
      setBackend('wasm');
      setKernelThreads(threadCount);
      gemmTuning.backoff = false;
      expect(await kernelThreadsReady()).toBe(threadCount);
      const rng = new Random(11 + threadCount);
      for (const [m, k, n] of SHAPES) {
        for (const [name, trans, product] of FORMS) {
          const rows = sparseRows(m, k, rng);
          const b = Float32Array.from({ length: k * n }, () => rng.uniform() * 2 - 1);
          const before = leftOut();
          const sparse = product(stored(rows, trans), b, new Float32Array(m * n), m, k, n);
          // on one thread the steps are left out where this test can count them (workers keep their own count)
          if (threadCount === 1) expect(leftOut() - before, `${name} ${m}×${k}×${n}`).toBeGreaterThan((m / 4) * k * 0.3);
          const dense = product(stored(amongDense(rows, rng), trans), b, new Float32Array(4 * m * n), 4 * m, k, n);
          expect(rowBits(sparse, m, n, false), `${name} ${m}×${k}×${n}`).toEqual(rowBits(dense, m, n, true));
        }
      }
    });
  }

  it('leave nothing out of a block of B that holds ∞ or NaN (0 · ∞ is NaN), and keep ReLU and the bias as they were', () => {
    setBackend('wasm');
    setKernelThreads(1);
    const rng = new Random(5);
    const [m, k, n] = [40, 200, 24]; // one KC-deep block of B
    const rows = sparseRows(m, k, rng);
    // ∞ and NaN in steps where the first group of rows is all zero: each must reach those rows
    const zeroSteps = rows[0].flatMap((_, p) => (rows.slice(0, 4).every((r) => r[p] === 0) ? [p] : []));
    expect(zeroSteps.length).toBeGreaterThan(10);
    const b = Float32Array.from({ length: k * n }, () => rng.uniform() * 2 - 1);
    b[zeroSteps[0] * n + 3] = Infinity;
    b[zeroSteps[1] * n + 5] = NaN;
    const before = leftOut();
    const sparse = matmul(stored(rows, false), b, new Float32Array(m * n), m, k, n) as Float32Array;
    expect(leftOut() - before).toBe(0);
    expect(Number.isNaN(sparse[3]) && Number.isNaN(sparse[5])).toBe(true);
    const dense = matmul(stored(amongDense(rows, rng), false), b, new Float32Array(4 * m * n), 4 * m, k, n) as Float32Array;
    expect(rowBits(sparse, m, n, false)).toEqual(rowBits(dense, m, n, true));

    // z = relu(a W + b) in one call: the same bits with its steps left out
    const finite = b.map((x) => (Number.isFinite(x) ? x : 0.5));
    const bias = Float32Array.from({ length: n }, () => rng.uniform() - 0.5);
    const fused = matmulBiasAct(stored(rows, false), finite, bias, 'relu', new Float32Array(m * n), m, k, n) as Float32Array;
    const fusedDense = matmulBiasAct(stored(amongDense(rows, rng), false), finite, bias, 'relu', new Float32Array(4 * m * n), 4 * m, k, n) as Float32Array;
    expect(rowBits(fused, m, n, false)).toEqual(rowBits(fusedDense, m, n, true));
  });
});
