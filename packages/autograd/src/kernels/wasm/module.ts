// Finds and compiles the WebAssembly kernels, and never builds them: the .wasm files are build products of
// scripts/build-wasm.mjs (run by `pnpm install`), read through the platform (platform/platform.ts). Where the
// platform reads files synchronously (Node), the module is compiled on first use (loadKernelModule); where it can
// only fetch them (a browser), initKernels() (init.ts) loads it first, asynchronously (loadKernelModuleAsync), from
// the package's build/ folder, another folder, or files the caller hands over, and installs it (useKernelModule).
// A missing or outdated module leaves the wasm backend unavailable, with a reason that names what to do; whether the
// built modules match their sources is checked by that script (`--check`, against the hash it writes into
// build/manifest.json) and by module.test.ts, not here: a shipped package need not carry its sources.
//
// Two builds of the same sources exist: kernels-fma.wasm (relaxed-simd fused multiply-add in the GEMM
// micro-kernels, ~30% faster) and kernels.wasm (plain SIMD), each with a -local twin over a plain (not shared)
// memory for the work done on the calling thread alone. The FMA build is used where the runtime accepts it (the
// module validates, after asking the platform to enable relaxed-simd if need be: a V8 flag on Node 20).
// TAPEGRAD_WASM_FMA=0 keeps the plain build (and leaves the runtime's flags alone). The twin over a shared memory is
// needed only for worker threads: where they cannot share memory (a page that is not cross-origin isolated) it is
// not fetched, and the kernels run on one thread.
import { platform } from '#platform';
import { formatValue } from '../format.ts';
import type { Platform, Url } from '../platform/platform.ts';
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

/** The four files of build/, by name. */
export type KernelFile = 'kernels.wasm' | 'kernels-local.wasm' | 'kernels-fma.wasm' | 'kernels-fma-local.wasm';
export const KERNEL_FILES: readonly KernelFile[] = ['kernels-fma.wasm', 'kernels-fma-local.wasm', 'kernels.wasm', 'kernels-local.wasm'];

/** Exports the binding layer itself calls; a module without one of them is older than the code that calls it. */
const REQUIRED_EXPORTS = ['heapBase', 'gemmWorkBytes', 'gemmChunk', 'gemmF32', 'gemmF64'];

export type KernelModule =
  | {
      ok: true;
      /**
       * The build over a shared memory (the products split across worker threads), from `file`; null where worker
       * threads cannot be used (it was not loaded), and the kernels run on one thread.
       */
      module: WasmModule | null;
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

/** The kernel module of this process: the one useKernelModule installed, else compiled on first use. */
export function loadKernelModule(): KernelModule {
  cached ??= loadFrom(platform, wasmApi);
  return cached;
}

/** Makes `loaded` the kernel module of this process (the instances over the previous one are dropped on their next use). */
export function useKernelModule(loaded: KernelModule): void {
  cached = loaded;
}

/** What a file holds: its bytes, the module already compiled, or null where it is missing. */
type Found = Uint8Array | WasmModule | null;

interface Picked {
  file: string;
  fma: boolean;
  shared: Found;
  local: Uint8Array | WasmModule;
}

/**
 * The build to use among the files `find` gives: the FMA build where allowed and the runtime accepts it, else the
 * plain one; its -local twin is needed, its shared twin too where `needShared`. A string says why neither is usable.
 */
function pick(find: (file: string) => Found, p: Platform, api: WasmApi, needShared: boolean): Picked | string {
  const complete = (file: string): boolean => find(localFileOf(file)) !== null && (!needShared || find(file) !== null);
  // bytes are validated first as they are, then once more after asking for relaxed-simd; a module given compiled is valid
  const accepted = (x: Found): boolean => !(x instanceof Uint8Array) || api.validate(x) || (p.enableRelaxedSimd() && api.validate(x));
  if (fmaAllowed(p.setting('TAPEGRAD_WASM_FMA')) && complete(WASM_FMA_FILE) && accepted(find(localFileOf(WASM_FMA_FILE)))) {
    return { file: WASM_FMA_FILE, fma: true, shared: find(WASM_FMA_FILE), local: find(localFileOf(WASM_FMA_FILE)) as Uint8Array | WasmModule };
  }
  if (complete(WASM_FILE)) return { file: WASM_FILE, fma: false, shared: find(WASM_FILE), local: find(localFileOf(WASM_FILE)) as Uint8Array | WasmModule };
  const wanted = needShared ? [WASM_FILE, localFileOf(WASM_FILE)] : [localFileOf(WASM_FILE)];
  return wanted.filter((f) => find(f) === null).join(' and ');
}

/** Finds and compiles the kernel module, synchronously, through `p` (the platform) and `api` (the WebAssembly global). */
export function loadFrom(p: Platform, api: WasmApi | undefined): KernelModule {
  if (api === undefined) return { ok: false, reason: 'no WebAssembly in this runtime' };
  const later = p.syncLoadUnavailable();
  if (later !== null) return { ok: false, reason: later };
  try {
    const read = new Map<string, Uint8Array | null>();
    const find = (file: string): Uint8Array | null => {
      if (!read.has(file)) read.set(file, p.kernelModule(file));
      return read.get(file) as Uint8Array | null;
    };
    const picked = pick(find, p, api, p.threadsUnavailableReason() === null);
    if (typeof picked === 'string') {
      const where = picked.split(' and ').map((f) => p.kernelModuleLocation(f));
      return { ok: false, reason: `${where.join(' and ')} missing: build the wasm kernels with \`${REBUILD}\`` };
    }
    return checked(api, picked, (x) => (x instanceof Uint8Array ? new api.Module(x) : x));
  } catch (e) {
    return { ok: false, reason: `cannot compile the wasm kernels: ${(e as Error).message}` };
  }
}

/** The compiled kernel files by name, as bytes or compiled modules. */
export type KernelFiles = Partial<Record<KernelFile, ArrayBuffer | ArrayBufferView | WasmModule>>;

/** Where loadKernelModuleAsync reads the modules: the package's build/ (undefined), a folder (a URL, or a string), or the files themselves. */
export type KernelSource = undefined | string | { readonly href: string } | KernelFiles;

/** Whether `source` names the files themselves (not a folder). */
const isFiles = (source: KernelSource): source is KernelFiles =>
  typeof source === 'object' && typeof (source as { href?: unknown }).href !== 'string';

/**
 * Finds and compiles the kernel module asynchronously (fetching it where the platform fetches, compiling it off the
 * calling thread): from `source` (see KernelSource), through `p` and `api`. A module that cannot be read or compiled
 * is an error saying where it was looked for; one that is missing or outdated gives a reason, as loadFrom does.
 */
export async function loadKernelModuleAsync(source: KernelSource, p: Platform, api: WasmApi | undefined): Promise<KernelModule> {
  if (api === undefined) return { ok: false, reason: 'no WebAssembly in this runtime' };
  const threads = p.threadsUnavailableReason() === null;
  const found = new Map<string, Found>();
  let where: (file: string) => string;
  let hint: string;
  if (!isFiles(source)) {
    const folder = source === undefined ? null : p.folderUrl(typeof source === 'string' ? source : source.href);
    const url = (file: string): Url => (folder === null ? p.kernelModuleUrl(file) : new URL(file, folder.href));
    where = (file) => url(file).href;
    hint = folder !== null
      ? '`wasm` should be the URL of a folder holding the files of the package\'s build/'
      : p.syncLoadUnavailable() === null
        ? `build the wasm kernels with \`${REBUILD}\``
        : 'where the page cannot fetch them from next to the package (a bundler that does not copy ' +
          '`new URL(…, import.meta.url)` assets, as esbuild), serve the package\'s build/ folder and pass its URL as ' +
          '`wasm` to initKernels';
    // the files a build could need, all at once; the shared twins only where workers can share memory
    const files = KERNEL_FILES.filter((f) => threads || f.endsWith('-local.wasm'));
    if (!fmaAllowed(p.setting('TAPEGRAD_WASM_FMA'))) files.splice(0, files.length, ...files.filter((f) => !f.includes('-fma')));
    const bytes = await Promise.all(files.map((f) => p.readKernelModule(url(f))));
    files.forEach((f, i) => found.set(f, bytes[i]));
  } else {
    where = (file) => file;
    hint = `the files given to initKernels need ${localFileOf(WASM_FILE)} or ${localFileOf(WASM_FMA_FILE)} (one thread), with its shared twin for worker threads`;
    for (const [file, x] of Object.entries(source)) {
      if (!(KERNEL_FILES as readonly string[]).includes(file)) {
        throw new Error(`initKernels: unknown kernel file ${JSON.stringify(file)}; expected ${KERNEL_FILES.join(', ')}`);
      }
      if (x !== undefined) found.set(file, asBytes(x, api));
    }
  }
  const find = (file: string): Found => found.get(file) ?? null;
  // files the caller hands over decide for themselves: a shared twin among them is used, none means one thread
  const picked = pick(find, p, api, threads && !isFiles(source));
  if (typeof picked === 'string') {
    const missing = picked.split(' and ').map(where);
    return { ok: false, reason: `${missing.join(' and ')} missing: ${hint}` };
  }
  if (!threads) picked.shared = null;
  const compiled = new Map<Found, WasmModule>();
  for (const x of [picked.shared, picked.local]) {
    if (x instanceof Uint8Array) compiled.set(x, await api.compile(x));
  }
  return checked(api, picked, (x) => compiled.get(x) ?? (x as WasmModule));
}

/** `x` as a Uint8Array over the same bytes, or the compiled module as it is. */
function asBytes(x: ArrayBuffer | ArrayBufferView | WasmModule, api: WasmApi): Uint8Array | WasmModule {
  if (x instanceof Uint8Array) return x;
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (x instanceof (api.Module as unknown as new () => object)) return x;
  throw new Error(`initKernels: a kernel file must be bytes (an ArrayBuffer or a view of one) or a WebAssembly.Module; got ${Object.prototype.toString.call(x)}`);
}

/** The KernelModule of `picked`, its modules compiled by `compile`, refused if they predate the bindings. */
function checked(api: WasmApi, picked: Picked, compile: (x: Uint8Array | WasmModule) => WasmModule): KernelModule {
  const module = picked.shared === null ? null : compile(picked.shared);
  const local = compile(picked.local);
  const pairs: [WasmModule | null, string][] = [[module, picked.file], [local, localFileOf(picked.file)]];
  for (const [m, f] of pairs) {
    if (m === null) continue;
    const names = new Set(api.Module.exports(m).map((e) => e.name));
    const missing = REQUIRED_EXPORTS.filter((name) => !names.has(name));
    if (missing.length > 0) {
      return { ok: false, reason: `${f} is outdated (it has no ${missing.join(', ')}): rebuild the wasm kernels with \`${REBUILD}\`` };
    }
  }
  return { ok: true, module, file: picked.file, local, fma: picked.fma };
}
