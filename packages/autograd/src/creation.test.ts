import { describe, expect, it } from 'vitest';
import { arange, defaultRandom, full, manualSeed, ones, onesLike, randn, tensor, uniform, zeros, zerosLike } from './creation.ts';
import { getBackend, isResident, Random } from './kernels/index.ts';
import { RESIDENT_MIN, residentArray } from './kernels/internal.ts';
import { nn, optim, Tensor } from './index.ts';

describe('tensor()', () => {
  it('reads numbers and nested lists, float32 by default', () => {
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(tensor([]).shape).toEqual([0]);
  });
  it('reads flat data with a shape, and typed arrays (Float64Array → float64)', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    const d = tensor(new Float64Array([0.1, 0.2]));
    expect(d.dtype).toBe('float64');
    expect(d.data[0]).toBe(0.1);
    expect(tensor(new Float64Array(4), { shape: [2, 2], dtype: 'float32' }).dtype).toBe('float32');
    expect(tensor(Int32Array.from([1, 2])).toArray()).toEqual([1, 2]);
  });
  it('copies its input', () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 99;
    expect(t.data[0]).toBe(1);
  });
  it('sets requiresGrad', () => {
    expect(tensor([1], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(tensor([1]).requiresGrad).toBe(false);
  });
  it('names the position and lengths of ragged data', () => {
    expect(() => tensor([[1, 2, 3], [4, 5]])).toThrow(
      'tensor: ragged nested array: the list at [1] has length 2 but the list at [0] has length 3; expected equal lengths',
    );
    expect(() => tensor([[[1, 2], [3, 4]], [[5, 6], [7]]])).toThrow('the list at [1, 1] has length 1 but the list at [0, 0] has length 2');
    expect(() => tensor([[1, 2], 3] as never)).toThrow('tensor: ragged nested array: expected a list of length 2 at [1], got number 3');
    expect(() => tensor([1, [2]] as never)).toThrow('tensor: expected a number at [1], got a list of length 1 (ragged nesting');
  });
  it('rejects non-numbers', () => {
    expect(() => tensor([1, '2'] as never)).toThrow('tensor: expected a number at [1], got the string "2"');
    expect(() => tensor([[1, null]] as never)).toThrow('tensor: expected a number at [0, 1], got null');
    expect(() => tensor('abc' as never)).toThrow('tensor: expected a number, nested lists of numbers or a typed array, got the string "abc"');
  });
  it('checks the size against the shape, and the dtype', () => {
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow('tensor: data has 3 elements but shape [2, 2] needs 4');
    expect(() => tensor([1], { shape: [-1] })).toThrow('tensor: invalid shape [-1]; expected non-negative integer dimensions');
    expect(() => tensor([1], { dtype: 'int32' as never })).toThrow(`tensor: unknown dtype "int32"`);
  });
});

describe('filled tensors', () => {
  it('zeros, ones, full and the -Like variants', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(full([3], 7, { requiresGrad: true }).toArray()).toEqual([7, 7, 7]);
    const t = tensor([[1, 2]], { dtype: 'float64' });
    expect(zerosLike(t).dtype).toBe('float64');
    expect(onesLike(t, { dtype: 'float32' }).dtype).toBe('float32');
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
  });
  it('check their arguments', () => {
    expect(() => zeros([2, 1.5])).toThrow('zeros: invalid shape [2, 1.5]');
    expect(() => full([2], 'x' as never)).toThrow('full: value must be a number');
    expect(() => arange(-1)).toThrow('arange: expected a non-negative integer count, got -1');
  });
  it('refuse at once, naming the op, the shape and the bytes, a size no typed array or machine can hold', () => {
    // 10^12 elements: past V8's typed array length, and 4 TB
    const huge = /shape \[1000000, 1000000\] in float32 \(1000000000000 elements, 4\.0 TB \(4000000000000 bytes\)\) (is larger than a typed array|needs more memory)/;
    for (const [op, make] of [['zeros', zeros], ['ones', ones], ['randn', randn], ['uniform', uniform]] as const) {
      expect(() => make([1e6, 1e6])).toThrow(new RegExp(`^${op}: a tensor of ${huge.source}`));
    }
    expect(() => full([1e6, 1e6], 1)).toThrow(huge);
  });
});

describe('random tensors', () => {
  it('are reproducible after manualSeed, like torch.manual_seed', () => {
    manualSeed(42);
    const a = randn([5]);
    const u = uniform([3], -1, 1);
    manualSeed(42);
    expect(randn([5]).toArray()).toEqual(a.toArray());
    expect(uniform([3], -1, 1).toArray()).toEqual(u.toArray());
    expect(defaultRandom()).toBeInstanceOf(Random);
  });
  it('manualSeed refuses seeds the generator cannot keep (1.5 would repeat 1, −1 would repeat 2³² − 1)', () => {
    for (const [seed, shown] of [[1.5, '1.5'], [-1, '-1'], [2 ** 32, '4294967296'], [NaN, 'NaN']] as const) {
      expect(() => manualSeed(seed)).toThrow(`manualSeed: seed ${shown} is not an integer in [0, 4294967295]; expected a 32-bit unsigned integer seed`);
    }
  });
  it('draw from a given generator, with the requested mean, std and range', () => {
    const x = randn([4000], { rng: new Random(1), mean: 3, std: 0.5, dtype: 'float64' });
    const m = x.mean().item();
    const sd = Math.sqrt(x.sub(m).pow(2).mean().item());
    expect(m).toBeCloseTo(3, 1);
    expect(sd).toBeCloseTo(0.5, 1);
    const v = uniform([1000], 2, 3, { rng: new Random(1) });
    expect(Math.min(...v.data)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...v.data)).toBeLessThan(3);
    expect(randn([2], { rng: new Random(5) }).toArray()).toEqual(randn([2], { rng: new Random(5) }).toArray());
  });
  it('check their arguments', () => {
    expect(() => randn([2], { std: -1 })).toThrow('randn: expected a finite mean and a finite std ≥ 0, got mean 0, std -1');
    expect(() => uniform([2], 1, 0)).toThrow('uniform: expected finite bounds with low ≤ high, got [1, 0)');
  });
});

describe('new Tensor(data, shape)', () => {
  it('wraps a Float32Array or Float64Array as is, its type the dtype', () => {
    const data = new Float64Array([1, 2, 3, 4]);
    const t = new Tensor(data, [2, 2]);
    expect(t.data).toBe(data);
    expect(t.dtype).toBe('float64');
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow('Tensor: data has 3 elements but shape [2, 2] needs 4');
  });

  it('refuses other arrays, naming the type, rather than reading them as float32 (the issue\'s truncated SGD step)', () => {
    const expected = (what: string) =>
      `Tensor: data is ${what}; expected a Float32Array or Float64Array, used as is (its type is the dtype). ` +
      'Use tensor(data, { shape, dtype }) to copy other arrays into float32 or float64';
    expect(() => new Tensor(new Int32Array([1, 2, 3]) as never, [3], { requiresGrad: true })).toThrow(expected('a Int32Array(3)'));
    expect(() => new Tensor(new Uint8ClampedArray(2) as never, [2])).toThrow(expected('a Uint8ClampedArray(2)'));
    expect(() => new Tensor([1, 2] as never, [2])).toThrow(expected('[1, 2]'));
    // tensor() converts: one SGD step on [1, 2, 3] with gradient 1 and lr 0.2 gives [0.8, 1.6, 2.4], not [0, 1, 2]
    const p = tensor(new Int32Array([1, 2, 3]), { requiresGrad: true });
    p.mul(tensor([1, 2, 3])).sum().backward();
    new optim.SGD([p], { lr: 0.2 }).step();
    expect(Array.from(p.data)).toEqual([0.8, 1.6, 2.4].map(Math.fround));
  });

  it('prints NaN and Infinity as themselves', () => {
    expect(String(tensor([NaN, Infinity, -1]))).toBe('Tensor(float32 [3]) [NaN,Infinity,-1]');
  });
});

describe('parameters in the kernels\' memory', () => {
  it('tensor(), zeros(), randn() … with requiresGrad give resident arrays from RESIDENT_MIN elements, the same values', () => {
    const available = getBackend() === 'wasm' && residentArray('float32', 1) !== null;
    const values = Array.from({ length: RESIDENT_MIN }, (_, i) => i / 7);
    const p = tensor(values, { requiresGrad: true });
    expect(isResident(p.data)).toBe(available);
    expect(Array.from(p.data)).toEqual(Array.from(Float32Array.from(values)));
    expect(isResident(tensor(values).data)).toBe(false);
    expect(isResident(tensor(values.slice(1), { requiresGrad: true }).data)).toBe(false); // below RESIDENT_MIN
    const r = randn([RESIDENT_MIN], { dtype: 'float64', rng: new Random(1), requiresGrad: true });
    expect(isResident(r.data)).toBe(available);
    expect(Array.from(r.data)).toEqual(Array.from(randn([RESIDENT_MIN], { dtype: 'float64', rng: new Random(1) }).data));
    expect(isResident(zeros([RESIDENT_MIN], { requiresGrad: true }).data)).toBe(available);
    const layer = new nn.Linear(64, 32, { rng: new Random(2) }); // its W and b come from zeros(…, { requiresGrad })
    expect([isResident(layer.W.data), isResident((layer.b as Tensor).data)]).toEqual([available, false]); // b: 32 < RESIDENT_MIN
    expect(layer.W.data.some((w) => w !== 0)).toBe(true); // initialised in place
  });
});
