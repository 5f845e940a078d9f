import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, activationByName, leakyReluWith } from './activations.ts';
import { allocate } from './dtype.ts';
import type { FloatArray } from './dtype.ts';
import { Random } from './random.ts';

// Activation.backward, out = g ⊙ act'(z): the kernel both engines call for ⊙ act'(z^l) (autograd's rules and the
// manual engine's δ^l). It must be the derivative, in place too, and take act' from z or a = act(z) as it says.

const DTYPES = ['float32', 'float64'] as const;

function sample(dtype: 'float32' | 'float64', n: number, seed: number): FloatArray {
  const rng = new Random(seed);
  // the exact 0 and values past the saturation of sigmoid and tanh
  return allocate(dtype, n).map((_, i) => (i === 0 ? 0 : i === 1 ? 40 : i === 2 ? -40 : 3 * rng.normal()));
}

describe('Activation.backward: g ⊙ act′(z)', () => {
  for (const dtype of DTYPES) {
    for (const name of ACTIVATION_NAMES) {
      it(`${name}, ${dtype}: g ⊙ df(z), to a rounding of the product, in place as well`, () => {
        const act = activationByName(name);
        const n = 50;
        const z = sample(dtype, n, 1);
        const g = sample(dtype, n, 2);
        const a = act.f(z, allocate(dtype, n));
        const got = act.backward(g, z, a, allocate(dtype, n));
        const df = act.df(z, allocate(dtype, n));
        const u = dtype === 'float32' ? 2 ** -23 : 2 ** -52;
        for (let i = 0; i < n; i++) {
          const want = g[i] * df[i];
          // a few roundings of the product, plus σ' = a(1 − a) and tanh' = 1 − a² from a rounded a = act(z):
          // up to about 2u·|g| where 1 − a cancels (a wrong derivative is off by a sizeable part of |g|)
          expect(Math.abs(got[i] - want), `${name} at ${i}: z ${z[i]}, g ${g[i]}`).toBeLessThanOrEqual(4 * u * (Math.abs(want) + Math.abs(g[i])));
        }
        const inPlace = g.slice();
        expect(Array.from(act.backward(inPlace, z, a, inPlace))).toEqual(Array.from(got));
      });
    }
  }
  it('reads z for the rectifiers, a = act(z) for sigmoid and tanh (the forms autograd keeps)', () => {
    const g = Float64Array.of(2, 2);
    const z = Float64Array.of(-1, 1);
    const wrongA = Float64Array.of(0.5, 0.5); // not act(z): shows which argument the rule reads
    expect(Array.from(activationByName('sigmoid').backward(g, z, wrongA, new Float64Array(2)))).toEqual([0.5, 0.5]);
    expect(Array.from(activationByName('tanh').backward(g, z, wrongA, new Float64Array(2)))).toEqual([1.5, 1.5]);
    expect(Array.from(activationByName('relu').backward(g, z, wrongA, new Float64Array(2)))).toEqual([0, 2]);
    expect(Array.from(leakyReluWith(0.25).backward(g, z, wrongA, new Float64Array(2)))).toEqual([0.5, 2]);
    expect(Array.from(activationByName('identity').backward(g, z, wrongA, new Float64Array(2)))).toEqual([2, 2]);
  });
});
