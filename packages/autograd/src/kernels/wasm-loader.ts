// Finds (and if need be builds) the compiled WebAssembly kernels, synchronously.
//
// The .wasm is a build product (scripts/build-wasm.mjs, run by `pnpm install`), never committed.
// Kernels are called synchronously by both engines, so loading must be synchronous too: read the
// file and compile it with `new WebAssembly.Module` (Node has no size limit on synchronous compiles).
// If the file is missing or older than its sources (a fresh checkout installed with
// --ignore-scripts, or an edited kernel), we run the build script once, synchronously (~1–2 s);
// if that fails too, the caller falls back to the reference kernels with a one-time warning.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmApi, type WasmModule } from './wasm-api.ts';

export type KernelModule = { ok: true; module: WasmModule; path: string } | { ok: false; reason: string };

const pkgRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where scripts/build-wasm.mjs writes the module. */
export const WASM_PATH = join(pkgRoot, 'build', 'kernels.wasm');
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

function load(): KernelModule {
  if (wasmApi === undefined) return { ok: false, reason: 'no WebAssembly in this runtime' };
  let exists = existsSync(WASM_PATH);
  const stale = exists && statSync(WASM_PATH).mtimeMs < newestSource();
  if (!exists || stale) {
    const failure = existsSync(BUILD_SCRIPT) ? build() : 'no build script';
    exists = existsSync(WASM_PATH);
    if (failure !== null && !exists) return { ok: false, reason: `${WASM_PATH} is missing and building it failed: ${failure}` };
    if (failure !== null) process.emitWarning(`tapegrad: rebuilding stale ${WASM_PATH} failed (${failure}); using the stale build`);
  }
  try {
    return { ok: true, module: new wasmApi.Module(readFileSync(WASM_PATH)), path: WASM_PATH };
  } catch (e) {
    return { ok: false, reason: `cannot compile ${WASM_PATH}: ${(e as Error).message}` };
  }
}
