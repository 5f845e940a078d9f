// Finds (and if need be builds) the compiled WebAssembly kernels, synchronously.
//
// The .wasm is a build product (scripts/build-wasm.mjs, run by `pnpm install`), never committed.
// Kernels are called synchronously by both engines, so loading must be synchronous too: read the
// file and compile it with `new WebAssembly.Module` (Node has no size limit on synchronous compiles).
// If the file is missing or older than its sources (a fresh checkout installed with
// --ignore-scripts, or an edited kernel), we run the build script once, synchronously (~1–2 s);
// if that fails too, the caller falls back to the reference kernels with a one-time warning.
//
// Two builds of the same sources exist: kernels-fma.wasm (relaxed-simd fused multiply-add in the
// GEMM micro-kernels, ~30% faster) and kernels.wasm (plain SIMD), each with a -local twin over a plain
// (not shared) memory for the work done on the calling thread alone. The FMA build is used where the
// runtime accepts it: natively from Node 22 (V8 11.4 shipped relaxed-simd), and on Node 20 (V8 11.3,
// where the feature is complete but behind --experimental-wasm-relaxed-simd) by turning that V8 flag
// on with v8.setFlagsFromString before compiling, which is checked by validating the module again.
// TAPEGRAD_WASM_FMA=0 keeps the plain build (and leaves V8's flags alone).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { wasmApi, type WasmModule } from './wasm-api.ts';

export type KernelModule =
  | {
      ok: true;
      /** The build over a shared memory (the products split across worker threads), from `path`. */
      module: WasmModule;
      path: string;
      /** The same build over a plain memory (everything run on the calling thread alone), from localPathOf(path). */
      local: WasmModule;
      /** the fused multiply-add build */
      fma: boolean;
    }
  | { ok: false; reason: string };

const pkgRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where scripts/build-wasm.mjs writes the plain SIMD module. */
export const WASM_PATH = join(pkgRoot, 'build', 'kernels.wasm');
/** Where scripts/build-wasm.mjs writes the module with relaxed-simd fused multiply-add. */
export const WASM_FMA_PATH = join(pkgRoot, 'build', 'kernels-fma.wasm');
/** The plain-memory twin of a build (see scripts/build-wasm.mjs: copies into a shared memory are slower). */
export function localPathOf(path: string): string {
  return path.replace(/\.wasm$/, '-local.wasm');
}
const BUILD_SCRIPT = join(pkgRoot, 'scripts', 'build-wasm.mjs');
const SOURCE_DIR = join(pkgRoot, 'assembly');

/** Newest modification time among the inputs of the build (sources and the script itself). */
function newestSource(): number {
  let newest = 0;
  try {
    for (const f of readdirSync(SOURCE_DIR)) if (f.endsWith('.ts')) newest = Math.max(newest, statSync(join(SOURCE_DIR, f)).mtimeMs);
    newest = Math.max(newest, statSync(BUILD_SCRIPT).mtimeMs);
  } catch {
    // No sources here (e.g. a packaged install that ships only the .wasm): nothing can be stale.
  }
  return newest;
}

function build(): string | null {
  try {
    execFileSync(process.execPath, [BUILD_SCRIPT, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: pkgRoot });
    return null;
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return (err.stderr?.toString().trim() || err.message).split('\n').slice(-3).join(' ');
  }
}

let cached: KernelModule | undefined;

/** Compiles the kernel module once per process (building it first if it is missing or stale). */
export function loadKernelModule(): KernelModule {
  if (cached) return cached;
  cached = load();
  return cached;
}

/** Whether TAPEGRAD_WASM_FMA (`env`) allows the fused multiply-add build: unset, '1' or 'true' do, '0' or 'false' do not. */
export function fmaAllowed(env: string | undefined): boolean {
  if (env === undefined || env === '' || env === '1' || env === 'true') return true;
  if (env === '0' || env === 'false') return false;
  throw new Error(`TAPEGRAD_WASM_FMA: expected 0, 1, false or true, got ${JSON.stringify(env)}`);
}

/** Whether this runtime accepts the relaxed-simd module `bytes`, turning V8's flag for it on if need be. */
function acceptsRelaxedSimd(api: NonNullable<typeof wasmApi>, bytes: Uint8Array): boolean {
  if (api.validate(bytes)) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false; // a runtime whose node:v8 refuses flags: the plain build
  }
  return api.validate(bytes);
}

function load(): KernelModule {
  const api = wasmApi;
  if (api === undefined) return { ok: false, reason: 'no WebAssembly in this runtime' };
  const newest = newestSource();
  const missingOrStale = (path: string): boolean => !existsSync(path) || statSync(path).mtimeMs < newest;
  const builds = [WASM_PATH, WASM_FMA_PATH].flatMap((path) => [path, localPathOf(path)]);
  if (builds.some(missingOrStale)) {
    const failure = existsSync(BUILD_SCRIPT) ? build() : 'no build script';
    const plain = [WASM_PATH, localPathOf(WASM_PATH)];
    if (failure !== null && !plain.every((path) => existsSync(path))) {
      return { ok: false, reason: `${plain.filter((path) => !existsSync(path)).join(' and ')} missing and building failed: ${failure}` };
    }
    if (failure !== null) process.emitWarning(`tapegrad: rebuilding the stale wasm kernels failed (${failure}); using the stale build`);
  }
  const fma = fmaAllowed(process.env.TAPEGRAD_WASM_FMA);
  const pair = (path: string, bytes: Uint8Array, isFma: boolean): KernelModule => ({
    ok: true,
    module: new api.Module(bytes),
    path,
    local: new api.Module(readFileSync(localPathOf(path))),
    fma: isFma,
  });
  try {
    if (fma && existsSync(WASM_FMA_PATH) && existsSync(localPathOf(WASM_FMA_PATH))) {
      const bytes = readFileSync(WASM_FMA_PATH);
      if (acceptsRelaxedSimd(api, bytes)) return pair(WASM_FMA_PATH, bytes, true);
    }
    return pair(WASM_PATH, readFileSync(WASM_PATH), false);
  } catch (e) {
    return { ok: false, reason: `cannot compile the wasm kernels: ${(e as Error).message}` };
  }
}
