import type { DType } from '@tapegrad/autograd/kernels';
import { backendAvailable, getBackend, KERNEL_BACKENDS, setBackend } from '@tapegrad/autograd/kernels';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, NetworkSpec } from './engine.ts';
import { autogradEngine } from './engines/index.ts';
import { checkBackend, onBackend, withBackend } from './kernel-backend.ts';

const initial = getBackend();
afterEach(() => setBackend(initial));
const other = initial === 'js' ? 'wasm' : 'js';
const bothAvailable = KERNEL_BACKENDS.every((b) => backendAvailable(b));

describe('checkBackend', () => {
  it('accepts the available backends and lists the choices for an unknown one', () => {
    for (const b of KERNEL_BACKENDS.filter((x) => backendAvailable(x))) expect(checkBackend(b)).toBe(b);
    expect(() => checkBackend('gpu')).toThrow(/unknown kernel backend "gpu"; choose from js, wasm, native/);
  });
});

describe.skipIf(!bothAvailable)(`withBackend and onBackend${bothAvailable ? '' : ' (skipped: needs both backends)'}`, () => {
  it('withBackend selects the backend for the call and restores the previous one, also when it throws', () => {
    expect(withBackend(other, () => getBackend())).toBe(other);
    expect(getBackend()).toBe(initial);
    expect(() =>
      withBackend(other, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(getBackend()).toBe(initial);
  });

  it('an engine pinned to a backend runs every call on it and is named after it', () => {
    const seen: string[] = [];
    const spy = (spec: NetworkSpec, dtype: DType): Engine => {
      const e = autogradEngine(spec, dtype);
      seen.push(`construct ${getBackend()}`);
      return {
        name: e.name,
        dtype: e.dtype,
        sizes: e.sizes,
        setParams: (p) => (seen.push(`setParams ${getBackend()}`), e.setParams(p)),
        getParams: () => (seen.push(`getParams ${getBackend()}`), e.getParams()),
        symbols: (b) => (seen.push(`symbols ${getBackend()}`), e.symbols(b)),
        step: (b, lr) => (seen.push(`step ${getBackend()}`), e.step(b, lr)),
        forward: (b) => (seen.push(`forward ${getBackend()}`), e.forward(b)),
        backward: () => (seen.push(`backward ${getBackend()}`), e.backward()),
      };
    };
    const e = onBackend(spy, other)({ sizes: [2, 3, 2], activation: 'tanh' }, 'float64');
    expect(e.name).toBe(`autograd/${other}`);
    e.setParams({ W: [[[1, 2, 3], [4, 5, 6]], [[1, 0], [0, 1], [1, 1]]], b: [[0, 0, 0], [0, 0]] });
    const batch = { N: 2, d: 2, x: Float64Array.of(0.1, 0.2, 0.3, 0.4), labels: Int32Array.of(0, 1) };
    e.symbols(batch);
    e.step(batch, 0.1);
    e.forward(batch);
    e.backward();
    e.getParams();
    expect(seen).toEqual(['construct', 'setParams', 'symbols', 'step', 'forward', 'backward', 'getParams'].map((c) => `${c} ${other}`));
    expect(getBackend()).toBe(initial);
  });
});
