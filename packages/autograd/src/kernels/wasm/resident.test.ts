import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, kernelThreadsReady, setBackend } from '../backend.ts';
import { DTYPES, type FloatArray } from '../dtype.ts';
import { adamScalars } from '../optimizers.ts';
import { Random } from '../random.ts';
import { adamRef, sgdRef } from '../reference.ts';
import { kernels } from '../table.ts';
import { ADAM_THREAD_MIN } from './adam.ts';
import { workerChunks } from './gemm.ts';
import { sharedArena } from './instance.ts';
import { gemmTuning } from './pool.ts';
import { allocateBeside, allocateResident, isResident, releaseResident, RESIDENT_MIN, residentArray, residentStats } from './resident.ts';

// Resident arrays live in the kernels' shared memory, where the wasm kernels use them in place. What must hold: they
// are ordinary zero-filled typed arrays that survive the memory's growth; freed blocks are reused; every kernel gives
// the same bits on them as on copies (table.test.ts runs the whole table both ways); Adam split across threads gives
// the same bits as on one thread and as the JS loop.

const available = residentArray('float32', 1) !== null;
const why = available ? '' : ' (skipped: no shared memory for resident arrays here)';

const backend = getBackend();
afterEach(() => setBackend(backend));

describe.skipIf(!available)(`resident arrays${why}`, () => {
  it('are zero-filled arrays of their dtype in the shared memory, and isResident knows them from ordinary ones', () => {
    for (const dtype of DTYPES) {
      const x = residentArray(dtype, 1000) as FloatArray;
      expect(x).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      expect(x.length).toBe(1000);
      expect(x.every((v) => v === 0)).toBe(true);
      expect(isResident(x)).toBe(true);
      expect(x.byteOffset % 64).toBe(0);
      expect(isResident(new Float32Array(1000))).toBe(false);
      releaseResident(x);
    }
  });

  it('are not disturbed by other calls, nor detached when the memory grows', () => {
    const x = residentArray('float32', 5000) as Float32Array;
    const values = Float32Array.from({ length: 5000 }, (_, i) => i * 0.5 - 7);
    x.set(values);
    const arena = sharedArena();
    const before = arena?.memory.buffer.byteLength ?? 0;
    // resident operands large enough to grow the memory, and a product run among them
    const n = 1500;
    const a = residentArray('float32', n * n) as Float32Array;
    a.fill(1);
    const out = residentArray('float32', n * n) as Float32Array;
    kernels.matmul(a, a, out, n, n, n);
    expect(out[0]).toBe(n);
    releaseResident(a);
    expect(arena?.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(x.length).toBe(5000);
    expect(Array.from(x)).toEqual(Array.from(values));
    expect(isResident(x)).toBe(true);
    releaseResident(out);
    releaseResident(x);
  });

  it('reuse freed blocks, first fit, merging neighbours', () => {
    const a = residentArray('float32', 1024) as Float32Array;
    const b = residentArray('float32', 1024) as Float32Array;
    const c = residentArray('float32', 16) as Float32Array; // keeps a and b off the top
    const [at, bt] = [a.byteOffset, b.byteOffset];
    expect(bt).toBe(at + 4096);
    expect(releaseResident(a)).toBe(true);
    expect(releaseResident(a)).toBe(false); // once only
    const a2 = residentArray('float32', 1024) as Float32Array;
    expect(a2.byteOffset).toBe(at);
    expect(a2.every((v) => v === 0)).toBe(true);
    releaseResident(a2);
    releaseResident(b);
    const both = residentArray('float32', 2048) as Float32Array; // a's and b's blocks merged
    expect(both.byteOffset).toBe(at);
    const live = residentStats.allocated - residentStats.freed;
    releaseResident(both);
    releaseResident(c);
    expect(residentStats.allocated - residentStats.freed).toBe(live - 2);
  });

  it('allocateResident: resident on the wasm backend from RESIDENT_MIN elements; allocateBeside follows its array', () => {
    expect(isResident(allocateResident('float32', RESIDENT_MIN))).toBe(true);
    expect(isResident(allocateResident('float32', RESIDENT_MIN - 1))).toBe(false);
    expect(isResident(allocateBeside(allocateResident('float64', RESIDENT_MIN)))).toBe(true);
    expect(isResident(allocateBeside(new Float64Array(RESIDENT_MIN)))).toBe(false);
    setBackend('js');
    expect(isResident(allocateResident('float32', RESIDENT_MIN))).toBe(false);
  });

  it('a product on one thread runs among resident operands when that copies less', () => {
    const rng = new Random(4);
    const [m, k, n] = [64, 64, 64]; // 262k multiply-adds: one thread
    const W = residentArray('float32', k * n) as Float32Array;
    W.set(Float32Array.from({ length: k * n }, () => rng.normal()));
    const x = Float32Array.from({ length: m * k }, () => rng.normal());
    const want = kernels.matmul(x, W.slice(), new Float32Array(m * n), m, k, n);
    const out = residentArray('float32', m * n) as Float32Array;
    const arena = sharedArena();
    const scratch = arena?.scratch ?? 0;
    const view = new Float32Array(arena?.memory.buffer ?? new ArrayBuffer(4), scratch, 1);
    view[0] = 12345; // where the shared instance would copy x to
    // W resident, x and out not (4096 against 8192 elements): the plain instance copies less, the shared memory is untouched
    expect(Array.from(kernels.matmul(x, W, new Float32Array(m * n), m, k, n))).toEqual(Array.from(want));
    expect(view[0]).toBe(12345);
    // W and out resident (8192 against 4096): in the shared instance, x copied to its scratch
    expect(Array.from(kernels.matmul(x, W, out, m, k, n))).toEqual(Array.from(want));
    expect(view[0]).toBe(x[0]);
    releaseResident(out);
    releaseResident(W);
  });

  it('a product writes into a resident output in place, unless it overlaps a factor', () => {
    const rng = new Random(3);
    const [m, k, n] = [40, 30, 20];
    const buf = residentArray('float64', m * k + k * n) as Float64Array;
    buf.set(Float64Array.from({ length: buf.length }, () => rng.normal()));
    const a = buf.subarray(0, m * k);
    const b = buf.subarray(m * k);
    const want = kernels.matmul(a.slice(), b.slice(), new Float64Array(m * n), m, k, n);
    const out = residentArray('float64', m * n) as Float64Array;
    expect(Array.from(kernels.matmul(a, b, out, m, k, n))).toEqual(Array.from(want));
    // out over a itself: the product must still read a as it was
    const over = buf.subarray(0, m * n);
    const aCopy = a.slice();
    kernels.matmul(a, b, over, m, k, n);
    expect(Array.from(over)).toEqual(Array.from(kernels.matmul(aCopy, b.slice(), new Float64Array(m * n), m, k, n)));
  });
});

describe.skipIf(!available)(`Adam and SGD on resident buffers${why}`, () => {
  const hyper = { lr: 1e-2, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0.01, maximize: false };
  const cases = [
    { ams: false, decoupled: false, t: 1 },
    { ams: true, decoupled: false, t: 5 },
    { ams: false, decoupled: true, t: 9 },
  ];

  /** θ, ∇θ, m, v, vMax of n elements: resident (∇θ too when `residentGrad`) or ordinary, same values either way. */
  function buffers(dtype: 'float32' | 'float64', n: number, where: 'resident' | 'plain', residentGrad: boolean, seed: number): FloatArray[] {
    const rng = new Random(seed);
    return [0, 1, 2, 3, 4].map((i) => {
      const x = where === 'resident' && (i !== 1 || residentGrad) ? (residentArray(dtype, n) as FloatArray) : new (dtype === 'float32' ? Float32Array : Float64Array)(n);
      for (let j = 0; j < n; j++) x[j] = i >= 3 ? rng.normal() ** 2 * 1e-3 : rng.normal();
      return x;
    });
  }

  for (const dtype of DTYPES) {
    it(`${dtype}: Adam in place, on one thread and split across threads, gives the JS loop's bits`, async () => {
      await kernelThreadsReady();
      gemmTuning.backoff = false; // every large update threaded, so that the threaded path surely runs
      try {
        const n = 2 * ADAM_THREAD_MIN + 13; // tails: not a whole number of lines per chunk
        const chunksBefore = workerChunks();
        for (const [i, { ams, decoupled, t }] of cases.entries()) {
          for (const residentGrad of [false, true]) {
            const s = adamScalars(hyper, t, decoupled);
            const [th, g, m, v, vMax] = buffers(dtype, n, 'plain', false, i);
            adamRef(th, g, m, v, ams ? vMax : null, s);
            const [rth, rg, rm, rv, rvMax] = buffers(dtype, n, 'resident', residentGrad, i);
            kernels.adam(rth, rg, rm, rv, ams ? rvMax : null, s);
            for (const [name, want, got] of [['θ', th, rth], ['m', m, rm], ['v', v, rv], ['vMax', vMax, rvMax]] as const) {
              const first = want.findIndex((w, j) => !Object.is(w, got[j]));
              expect(first, `${name}[${first}] (amsgrad ${ams}, decoupled ${decoupled})`).toBe(-1);
            }
          }
        }
        // where there are worker threads, they took part
        if (typeof SharedArrayBuffer === 'function' && (await kernelThreadsReady()) > 1) expect(workerChunks()).toBeGreaterThan(chunksBefore);
      } finally {
        gemmTuning.backoff = true;
      }
    });

    it(`${dtype}: SGD with momentum in place gives the JS loop's bits`, () => {
      const n = RESIDENT_MIN * 3 + 5;
      const s = { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: true, sign: 1, first: false };
      const [th, g, b] = buffers(dtype, n, 'plain', false, 7);
      sgdRef(th, g, b, s);
      const [rth, rg, rb] = buffers(dtype, n, 'resident', false, 7);
      kernels.sgd(rth, rg, rb, s);
      expect(Array.from(rth)).toEqual(Array.from(th));
      expect(Array.from(rb)).toEqual(Array.from(b));
    });
  }
});
