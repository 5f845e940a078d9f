import { describe, expect, it } from 'vitest';
import { backendAvailable, matmulRef, matmulWasm, wasmFusedMultiplyAdd } from './index.ts';
import type { DType } from './index.ts';
import { allocate } from './dtype.ts';
import { wasmApi } from './wasm-api.ts';
import { fmaAllowed, loadKernelModule, localPathOf, WASM_FMA_PATH, WASM_PATH } from './wasm-loader.ts';

// Which of the two builds runs: kernels-fma.wasm (relaxed-simd fused multiply-add) unless TAPEGRAD_WASM_FMA=0
// refuses it. vitest.config.ts runs the kernel and equality tests once more with TAPEGRAD_WASM_FMA=0, so both
// builds are checked against the reference kernels.
const fmaExpected = fmaAllowed(process.env.TAPEGRAD_WASM_FMA);

describe('TAPEGRAD_WASM_FMA', () => {
  it('accepts unset, 1/true and 0/false, and names the variable for anything else', () => {
    expect(fmaAllowed(undefined)).toBe(true);
    expect(fmaAllowed('')).toBe(true);
    expect(fmaAllowed('1')).toBe(true);
    expect(fmaAllowed('true')).toBe(true);
    expect(fmaAllowed('0')).toBe(false);
    expect(fmaAllowed('false')).toBe(false);
    expect(() => fmaAllowed('yes')).toThrow('TAPEGRAD_WASM_FMA: expected 0, 1, false or true, got "yes"');
  });
});

describe.skipIf(!backendAvailable('wasm'))('the loaded wasm build', () => {
  it(`is ${fmaExpected ? 'kernels-fma.wasm (Node 20 runs relaxed-simd once V8 is told to)' : 'kernels.wasm, as TAPEGRAD_WASM_FMA asks'}`, () => {
    const loaded = loadKernelModule();
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.fma).toBe(fmaExpected);
    expect(loaded.path).toBe(fmaExpected ? WASM_FMA_PATH : WASM_PATH);
    expect(wasmFusedMultiplyAdd()).toBe(fmaExpected);
  });

  it('comes as two modules: one over a shared memory (for worker threads), its -local twin over a plain one', () => {
    const loaded = loadKernelModule();
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(localPathOf(loaded.path)).toMatch(/kernels(-fma)?-local\.wasm$/);
    const api = wasmApi as NonNullable<typeof wasmApi>;
    const instantiate = (module: typeof loaded.module, shared: boolean) => () =>
      new api.Instance(module, { env: { memory: new api.Memory({ initial: 1, maximum: 65536, shared }), abort() {} } });
    expect(instantiate(loaded.module, true)).not.toThrow();
    expect(instantiate(loaded.module, false)).toThrow(/shared/);
    expect(instantiate(loaded.local, false)).not.toThrow();
    expect(instantiate(loaded.local, true)).toThrow(/shared/);
  });

  // c = a₀b₀ + a₁b₁ with a₀b₀ = −(1+2⁻ᵗ) exactly and a₁b₁ = (1+2⁻ᵗ⁻¹)² = 1 + 2⁻ᵗ + 2⁻²ᵗ⁻², whose last term is
  // below half an ulp of 1: rounded on its own (mul, then add) the product loses it and c = 0; fused, c = 2⁻²ᵗ⁻².
  // The reference kernels fuse in float32 (a product of two floats is exact in a JS double, and the sum is rounded
  // once, when stored) but not in float64.
  const CASES: [DType, number, boolean][] = [
    ['float32', 11, true],
    ['float64', 26, false],
  ];
  for (const [dtype, t, refFused] of CASES) {
    it(`${dtype}: ${fmaExpected ? 'rounds each multiply-add once' : 'rounds the product, then the sum'} (the reference kernels: ${refFused ? 'once' : 'twice'})`, () => {
      const [m, k, n] = [8, 2, 64]; // 1024 multiply-adds, 512 outputs: well inside the wasm kernels
      const a = allocate(dtype, m * k);
      const b = allocate(dtype, k * n);
      for (let i = 0; i < m; i++) {
        a[i * k] = -(1 + 2 ** -t);
        a[i * k + 1] = 1 + 2 ** (-t - 1);
      }
      for (let j = 0; j < n; j++) {
        b[j] = 1;
        b[n + j] = 1 + 2 ** (-t - 1);
      }
      const fused = 2 ** (-2 * t - 2);
      expect([...new Set(matmulRef(a, b, allocate(dtype, m * n), m, k, n))]).toEqual([refFused ? fused : 0]);
      const c = matmulWasm(a, b, allocate(dtype, m * n), m, k, n);
      expect([...new Set(c)]).toEqual([fmaExpected ? fused : 0]);
    });
  }
});
