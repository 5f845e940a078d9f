import { describe, expect, it } from 'vitest';
import { leakyReluWith, relu, stepGrad } from './activations.ts';
import { backendUnavailableReason, getBackend, setBackend } from './backend.ts';
import { allocate } from './dtype.ts';
import { add, addRow, allFinite, div, firstNonFinite, hadamard, mul, sub } from './elementwise.ts';
import { WASM_ELEMENTWISE_MIN } from './internal.ts';
import { Random } from './random.ts';
import type { BinaryKernel } from './elementwise.ts';
import { sumAxes, sumRows, sumToShape } from './reduce.ts';
import { broadcastShapes, reducedShape, sizeOf, stridesOf } from './shape.ts';

/** Element of `data` (of `shape`) that broadcasting reads at output index `idx`, by the definition of broadcasting. */
function at(data: Float64Array, shape: readonly number[], idx: number[]): number {
  const offset = idx.length - shape.length;
  const strides = stridesOf(shape);
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat += (shape[i] === 1 ? 0 : idx[offset + i]) * strides[i];
  return data[flat];
}

function indices(shape: readonly number[]): number[][] {
  const all: number[][] = [[]];
  return shape.reduce((acc, d) => acc.flatMap((p) => Array.from({ length: d }, (_, i) => [...p, i])), all);
}

const values = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => ((i * 37 + seed * 11) % 17) / 4 + 0.5);

// Every layout the kernels special-case (same, scalar either side, a trailing row either side, leading 1s) and
// the general strided path, each checked against the definition of broadcasting.
const pairs: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[3, 4], []],
  [[], [2, 3]],
  [[3, 4], [4]],
  [[4], [3, 4]],
  [[2, 3], [1, 3]],
  [[2, 3, 4], [3, 4]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [3, 1]],
  [[2, 1, 4], [2, 3, 1]],
];

const kernels: [string, BinaryKernel, (x: number, y: number) => number][] = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
  ['div', div, (x, y) => x / y],
];

describe('broadcasting binary kernels', () => {
  for (const [name, kernel, f] of kernels) {
    it(`${name} agrees with the definition of broadcasting on every layout`, () => {
      for (const [sa, sb] of pairs) {
        const shape = broadcastShapes(name, sa, sb);
        const a = values(sizeOf(sa), 1);
        const b = values(sizeOf(sb), 2);
        const out = kernel(a, sa, b, sb, new Float64Array(sizeOf(shape)), shape);
        const expected = indices(shape).map((idx) => f(at(a, sa, idx), at(b, sb, idx)));
        expect(Array.from(out), `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`).toEqual(expected);
      }
    });
  }
});

describe('sum kernels', () => {
  it('sumToShape and sumAxes agree with summing by index on leading, trailing and middle axes', () => {
    const shape = [2, 3, 4];
    const x = values(24, 3);
    const cases: number[][] = [[0], [2], [1, 2], [0, 1], [1], [0, 2], [0, 1, 2]];
    for (const axes of cases) {
      const target = reducedShape(shape, axes, true);
      const expected = new Float64Array(sizeOf(target));
      const ts = stridesOf(target);
      for (const idx of indices(shape)) {
        let flat = 0;
        for (let i = 0; i < shape.length; i++) flat += (axes.includes(i) ? 0 : idx[i]) * ts[i];
        expected[flat] += at(x, shape, idx);
      }
      expect(Array.from(sumAxes(x, shape, axes, new Float64Array(expected.length))), `sumAxes ${axes}`).toEqual(Array.from(expected));
      expect(Array.from(sumToShape(x, shape, target)), `sumToShape ${axes}`).toEqual(Array.from(expected));
    }
  });
});

const wasmReason = backendUnavailableReason('wasm');

describe('rectifier kernels: the branchless and wasm forms against the plain ternaries', () => {
  const specials = [0, -0, 1, -1, NaN, Infinity, -Infinity, 5e-324, -5e-324, 1.7e308, -1.7e308, 3.4e38, 1e-45, 0.5, -0.25];
  const backends = (['js', 'wasm'] as const).filter((name) => backendUnavailableReason(name) === null);
  for (const backend of backends) {
    it(`relu, its derivative, leaky relu and the step gradient give the ternaries' values bit for bit (${backend})`, () => {
      const previous = getBackend();
      setBackend(backend);
      try {
        const rng = new Random(3);
        for (const dtype of ['float32', 'float64'] as const) {
          for (const n of [15, WASM_ELEMENTWISE_MIN, WASM_ELEMENTWISE_MIN + 1, 5 * WASM_ELEMENTWISE_MIN + 3]) {
            const z = allocate(dtype, n).map((_, i) => (i < specials.length ? specials[i] : rng.normal()));
            const g = allocate(dtype, n).map((_, i) => (i < specials.length ? specials[specials.length - 1 - i] : rng.normal()));
            const expectSame = (what: string, got: ArrayLike<number>, want: (v: number, i: number) => number) => {
              const w = allocate(dtype, n).map((_, i) => want(z[i], i));
              expect(Array.from(w).every((v, i) => Object.is(got[i], v)), `${what} ${dtype} n=${n}`).toBe(true);
            };
            expectSame('relu', relu.f(z, allocate(dtype, n)), (v) => (v > 0 ? v : 0));
            expectSame('relu in place', relu.f(z, z.slice()), (v) => (v > 0 ? v : 0));
            expectSame("relu'", relu.df(z, allocate(dtype, n)), (v) => (v > 0 ? 1 : 0));
            for (const s of [0.01, -0, 0.2]) {
              expectSame(`leakyRelu(${s})`, leakyReluWith(s).f(z, allocate(dtype, n)), (v) => (v > 0 ? v : s * v));
              expectSame(`leakyRelu'(${s})`, leakyReluWith(s).df(z, allocate(dtype, n)), (v) => (v > 0 ? 1 : s));
            }
            for (const s of [0, -0, 0.01]) {
              expectSame(`stepGrad(${s})`, stepGrad(g, z, s, allocate(dtype, n)), (v, i) => (v > 0 ? g[i] : s * g[i]));
            }
          }
        }
      } finally {
        setBackend(previous);
      }
    });
  }
});

describe.skipIf(wasmReason !== null)(`hadamard, addRow, add of a bias row, sumRows: wasm against JS${wasmReason ? ` (skipped: ${wasmReason})` : ''}`, () => {
  it('give the same values bit for bit (±0, ±∞, NaN, odd widths, around the threshold)', () => {
    const specials = [0, -0, 1, -1, NaN, Infinity, -Infinity, 5e-324, -5e-324, 1.7e308, -1.7e308, 3.4e38, 1e-45, 0.5, -0.25];
    const shapes = [[3, 5], [256, 64], [256, 3], [129, 67], [WASM_ELEMENTWISE_MIN, 1], [1, WASM_ELEMENTWISE_MIN + 1]];
    const previous = getBackend();
    const run = (backend: 'js' | 'wasm', dtype: 'float32' | 'float64', rows: number, cols: number) => {
      setBackend(backend);
      const n = rows * cols;
      const rng = new Random(rows * 1000 + cols);
      const x = allocate(dtype, n).map((_, i) => (i < specials.length ? specials[i] : rng.normal() * 100));
      const y = allocate(dtype, n).map((_, i) => (i < specials.length ? specials[specials.length - 1 - i] : rng.normal()));
      const b = allocate(dtype, cols).map(() => rng.normal());
      return [
        hadamard(x, y, allocate(dtype, n)),
        addRow(x, b, allocate(dtype, n), rows, cols),
        add(x, [rows, cols], b, [cols], allocate(dtype, n), [rows, cols]),
        sumRows(x, allocate(dtype, cols), rows, cols),
      ];
    };
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [rows, cols] of shapes) {
          const want = run('js', dtype, rows, cols);
          const got = run('wasm', dtype, rows, cols);
          ['hadamard', 'addRow', 'add', 'sumRows'].forEach((name, k) => {
            expect(Array.from(want[k]).every((v, i) => Object.is(got[k][i], v)), `${name} ${dtype} ${rows}×${cols}`).toBe(true);
          });
        }
      }
    } finally {
      setBackend(previous);
    }
  });
});

describe('allFinite and firstNonFinite', () => {
  const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: finds a NaN or ±Infinity at every position mod 4 and at the ends, and nothing among extreme finite values`, () => {
      const big = dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
      const tiny = dtype === 'float32' ? 1.401298464324817e-45 : Number.MIN_VALUE;
      const finite = [0, -0, 1, -1, big, -big, tiny, -tiny, 0.5, 12345.678];
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 33]) {
        const x = allocate(dtype, n);
        for (let i = 0; i < n; i++) x[i] = finite[i % finite.length];
        expect(allFinite(x)).toBe(true);
        expect(firstNonFinite(x)).toBe(-1);
        for (let at = 0; at < n; at++) {
          for (const bad of BAD) {
            const y = x.slice();
            y[at] = bad;
            expect(allFinite(y), `${bad} at ${at} of ${n}`).toBe(false);
            expect(firstNonFinite(y)).toBe(at);
            expect(allFinite(y, at)).toBe(true); // the prefix before it
          }
        }
      }
    });
    it.skipIf(backendUnavailableReason('wasm') !== null)(`${dtype}: the wasm scan (large buffers) answers as the JS scan, wherever the non-finite value is`, () => {
      const previous = getBackend();
      try {
        for (const n of [WASM_ELEMENTWISE_MIN, WASM_ELEMENTWISE_MIN + 3, 20001]) {
          const x = allocate(dtype, n).map((_, i) => Math.sin(i) * 1e30);
          for (const backend of ['wasm', 'js'] as const) {
            setBackend(backend);
            expect(allFinite(x), `${backend} ${n}`).toBe(true);
            for (const at of [0, 1, 2, 3, n >> 1, n - 4, n - 3, n - 2, n - 1]) {
              for (const bad of BAD) {
                const y = x.slice();
                y[at] = bad;
                expect(allFinite(y), `${backend}: ${bad} at ${at} of ${n}`).toBe(false);
                expect(allFinite(y.subarray(at + 1)), `${backend}: after ${at}`).toBe(true);
                expect(allFinite(y, Math.max(at, WASM_ELEMENTWISE_MIN)) === at >= WASM_ELEMENTWISE_MIN).toBe(true);
              }
            }
          }
        }
      } finally {
        setBackend(previous);
      }
    });

    it(`${dtype}: reads a view at its own offset, and only its first n elements`, () => {
      const whole = allocate(dtype, 12);
      whole[1] = Number.NaN;
      whole[10] = Number.POSITIVE_INFINITY;
      expect(allFinite(whole.subarray(2, 10))).toBe(true);
      expect(allFinite(whole.subarray(2, 11))).toBe(false);
      expect(allFinite(whole.subarray(2), 8)).toBe(true);
      expect(allFinite(whole.subarray(1), 0)).toBe(true);
      expect(() => allFinite(whole, 13)).toThrow('allFinite: n is 13 but x has 12 elements');
    });
  }
});
