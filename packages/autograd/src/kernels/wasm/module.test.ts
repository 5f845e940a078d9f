import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { platform } from '#platform';
import { describe, expect, it } from 'vitest';
import { allocate } from '../dtype.ts';
import { backendAvailable, wasmFusedMultiplyAdd } from '../index.ts';
import type { DType } from '../index.ts';
import { matmulRef, matmulWasm } from '../internal.ts';
import type { Platform } from '../platform/platform.ts';
import { wasmApi, type WasmModule } from './api.ts';
import { fmaAllowed, loadFrom, loadKernelModule, localFileOf, REBUILD, WASM_FILE, WASM_FMA_FILE } from './module.ts';

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

describe('the built modules', () => {
  it('match their sources: scripts/build-wasm.mjs --check finds the hash of assembly/ in build/manifest.json', () => {
    const script = fileURLToPath(new URL('../../../scripts/build-wasm.mjs', import.meta.url));
    let output: string;
    try {
      output = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
    }
    expect(output).toMatch(/matches its sources/);
  });
});

/** The Node platform with the kernel modules replaced: `files` maps a file to its bytes, or null for missing. */
function platformWith(files: Record<string, Uint8Array | null>): Platform {
  return { ...platform, kernelModule: (file) => (file in files ? files[file] : platform.kernelModule(file)), setting: () => undefined };
}

describe('finding the modules, never building them', () => {
  it('a missing module leaves the backend unavailable, saying which file and the command that builds it', () => {
    const none = { [WASM_FILE]: null, [localFileOf(WASM_FILE)]: null, [WASM_FMA_FILE]: null, [localFileOf(WASM_FMA_FILE)]: null };
    const loaded = loadFrom(platformWith(none), wasmApi);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.reason).toContain('kernels.wasm');
    expect(loaded.reason).toContain(`\`${REBUILD}\``);
    expect(REBUILD).toBe('pnpm --filter @tapegrad/autograd build:wasm');
  });

  it('an outdated module (without the exports the bindings call) is refused the same way', () => {
    const empty = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0); // a valid module that exports nothing
    const stale = { [WASM_FILE]: empty, [localFileOf(WASM_FILE)]: empty, [WASM_FMA_FILE]: null };
    const loaded = loadFrom(platformWith(stale), wasmApi);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.reason).toMatch(/kernels\.wasm is outdated \(it has no heapBase, gemmWorkBytes, gemmChunk, gemmF32, gemmF64\)/);
    expect(loaded.reason).toContain(`\`${REBUILD}\``);
  });

  it('falls back to the plain build when the FMA build is missing, and reports no WebAssembly as such', () => {
    const noFma = platformWith({ [WASM_FMA_FILE]: null });
    const loaded = loadFrom(noFma, wasmApi);
    expect(loaded.ok && loaded.file).toBe(WASM_FILE);
    expect(loadFrom(noFma, undefined)).toEqual({ ok: false, reason: 'no WebAssembly in this runtime' });
  });
});

describe.skipIf(!backendAvailable('wasm'))('the loaded wasm build', () => {
  it(`is ${fmaExpected ? 'kernels-fma.wasm (Node 20 runs relaxed-simd once V8 is told to)' : 'kernels.wasm, as TAPEGRAD_WASM_FMA asks'}`, () => {
    const loaded = loadKernelModule();
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.fma).toBe(fmaExpected);
    expect(loaded.file).toBe(fmaExpected ? WASM_FMA_FILE : WASM_FILE);
    expect(wasmFusedMultiplyAdd()).toBe(fmaExpected);
  });

  it('comes as two modules: one over a shared memory (for worker threads), its -local twin over a plain one', () => {
    const loaded = loadKernelModule();
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(localFileOf(loaded.file)).toMatch(/^kernels(-fma)?-local\.wasm$/);
    const api = wasmApi as NonNullable<typeof wasmApi>;
    const instantiate = (module: WasmModule, shared: boolean) => () =>
      new api.Instance(module, { env: { memory: new api.Memory({ initial: 1, maximum: 65536, shared }), abort() {} } });
    if (loaded.module === null) throw new Error('Node loads the shared build too');
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
