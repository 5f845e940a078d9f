// Finds and compiles the WebAssembly kernels, synchronously (the engines call kernels synchronously), and never
// builds them: the .wasm files are build products of scripts/build-wasm.mjs (run by `pnpm install`), read through
// the platform (platform/platform.ts). A missing or outdated module leaves the wasm backend unavailable, with a
// reason that names the command that rebuilds it; whether the built modules match their sources is checked by that
// script (`--check`, against the hash it writes into build/manifest.json) and by module.test.ts, not here: a
// shipped package need not carry its sources.
//
// Two builds of the same sources exist: kernels-fma.wasm (relaxed-simd fused multiply-add in the GEMM
// micro-kernels, ~30% faster) and kernels.wasm (plain SIMD), each with a -local twin over a plain (not shared)
// memory for the work done on the calling thread alone. The FMA build is used where the runtime accepts it, after
// asking the platform to enable relaxed-simd if need be (a V8 flag on Node 20), which is checked by validating the
// module again. TAPEGRAD_WASM_FMA=0 keeps the plain build (and leaves the runtime's flags alone).
import { platform } from '#platform';
import { formatValue } from '../format.ts';
import type { Platform } from '../platform/platform.ts';
import { wasmApi, type WasmApi, type WasmModule } from './api.ts';

/** The command that builds the modules, named by every error about a missing or outdated one. */
export const REBUILD = 'pnpm --filter @tapegrad/autograd build:wasm';

/** The plain SIMD build and the relaxed-simd fused multiply-add build, over a shared memory. */
export const WASM_FILE = 'kernels.wasm';
export const WASM_FMA_FILE = 'kernels-fma.wasm';

/** The plain-memory twin of a build (see scripts/build-wasm.mjs: copies into a shared memory are slower). */
export function localFileOf(file: string): string {
  return file.replace(/\.wasm$/, '-local.wasm');
}

/** Exports the binding layer itself calls; a module without one of them is older than the code that calls it. */
const REQUIRED_EXPORTS = ['heapBase', 'gemmWorkBytes', 'gemmChunk', 'gemmF32', 'gemmF64'];

export type KernelModule =
  | {
      ok: true;
      /** The build over a shared memory (the products split across worker threads), from `file`. */
      module: WasmModule;
      file: string;
      /** The same build over a plain memory (everything run on the calling thread alone), from localFileOf(file). */
      local: WasmModule;
      /** the fused multiply-add build */
      fma: boolean;
    }
  | { ok: false; reason: string };

/** Whether TAPEGRAD_WASM_FMA (`env`) allows the fused multiply-add build: unset, '1' or 'true' do, '0' or 'false' do not. */
export function fmaAllowed(env: string | undefined): boolean {
  if (env === undefined || env === '' || env === '1' || env === 'true') return true;
  if (env === '0' || env === 'false') return false;
  throw new Error(`TAPEGRAD_WASM_FMA: expected 0, 1, false or true, got ${formatValue(env)}`);
}

let cached: KernelModule | undefined;

/** The kernel module of this process, compiled on first use. */
export function loadKernelModule(): KernelModule {
  cached ??= loadFrom(platform, wasmApi);
  return cached;
}

/** Finds and compiles the kernel module through `p` (the platform) and `api` (the WebAssembly global). */
export function loadFrom(p: Platform, api: WasmApi | undefined): KernelModule {
  if (api === undefined) return { ok: false, reason: 'no WebAssembly in this runtime' };
  try {
    if (fmaAllowed(p.setting('TAPEGRAD_WASM_FMA'))) {
      const shared = p.kernelModule(WASM_FMA_FILE);
      const local = p.kernelModule(localFileOf(WASM_FMA_FILE));
      // validate first as is, then once more after asking for relaxed-simd
      if (shared !== null && local !== null && (api.validate(shared) || (p.enableRelaxedSimd() && api.validate(shared)))) {
        return compile(api, WASM_FMA_FILE, shared, local, true);
      }
    }
    const shared = p.kernelModule(WASM_FILE);
    const local = p.kernelModule(localFileOf(WASM_FILE));
    if (shared === null || local === null) {
      const missing = [WASM_FILE, localFileOf(WASM_FILE)].filter((f) => p.kernelModule(f) === null).map((f) => p.kernelModuleLocation(f));
      return { ok: false, reason: `${missing.join(' and ')} missing: build the wasm kernels with \`${REBUILD}\`` };
    }
    return compile(api, WASM_FILE, shared, local, false);
  } catch (e) {
    return { ok: false, reason: `cannot compile the wasm kernels: ${(e as Error).message}` };
  }
}

function compile(api: WasmApi, file: string, sharedBytes: Uint8Array, localBytes: Uint8Array, fma: boolean): KernelModule {
  const module = new api.Module(sharedBytes);
  const local = new api.Module(localBytes);
  for (const [m, f] of [[module, file], [local, localFileOf(file)]] as const) {
    const names = new Set(api.Module.exports(m).map((e) => e.name));
    const missing = REQUIRED_EXPORTS.filter((name) => !names.has(name));
    if (missing.length > 0) {
      return { ok: false, reason: `${f} is outdated (it has no ${missing.join(', ')}): rebuild the wasm kernels with \`${REBUILD}\`` };
    }
  }
  return { ok: true, module, file, local, fma };
}
