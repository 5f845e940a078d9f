// The native backend's addon on Node (native/kernels.c: the matrix products on OpenBLAS, Adam's update), compiled
// on first use on the machine that runs it and cached: OpenBLAS picks its kernels for the CPU at hand, so a build
// made elsewhere would gain nothing, and the npm registry cannot ship the library itself. It needs a C compiler
// ($CC, else cc), OpenBLAS's development files (Debian/Ubuntu: `apt-get install libopenblas-dev`) and Node's own
// headers (beside its binary, as Node's release archives install them); without one of them nativeKernels() says
// which.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeKernels } from './platform.ts';

/** The addon's sources: the package's native/ (src/kernels/platform/ and dist/kernels/platform/ are 3 levels down). */
const NATIVE = fileURLToPath(new URL('../../../native/', import.meta.url));

/** native/'s files ending in `ending`, in a fixed order; none where the folder is missing. */
function nativeFiles(ending: string): string[] {
  return existsSync(NATIVE) ? readdirSync(NATIVE).filter((f) => f.endsWith(ending)).sort().map((f) => join(NATIVE, f)) : [];
}

/**
 * The compiler's flags: -ffp-contract=off keeps every float32 multiply and add a rounding of its own (Adam's update
 * must give the reference's bits; C compilers may otherwise fuse them, as GCC does by default on arm64), and
 * -fno-math-errno lets the loops with √ vectorize.
 */
const FLAGS = ['-O3', '-ffp-contract=off', '-fno-math-errno', '-pthread', '-shared', '-fPIC'];
/**
 * Tried first: the addon is built on the machine that runs it, so it may use the CPU's widest vectors. Adam's loop
 * (a √ and a ÷ an element, in the dtype's arithmetic: the same bits at any width) took 0.064 ms over 235k float32
 * on one thread here with AVX-512 against 0.194 with x86-64's baseline SSE2. A compiler that refuses it (some clang
 * builds) compiles without it.
 */
const CPU_FLAGS = ['-march=native'];

/** Where this Node's own headers are (node_api.h), as installed beside its binary. */
export function nodeIncludeDir(): string {
  return join(dirname(process.execPath), '..', 'include', 'node');
}

/**
 * The OpenBLAS kernel set (OPENBLAS_CORETYPE) for a CPU with these /proc/cpuinfo flags, or undefined to let
 * OpenBLAS choose. Why choose: a build that predates the CPU (Debian 12's 0.3.21 on a 5th-generation Xeon or a Zen 5)
 * falls back to older kernels (generic SSE3 "Prescott", or AVX2 "Haswell" where AVX-512 runs twice as fast).
 */
export function openblasCoreFor(flags: ReadonlySet<string>): string | undefined {
  if (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}

/** The CPU flags of this machine (from /proc/cpuinfo; empty where there is none). */
export function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set(line === undefined ? [] : line.slice(line.indexOf(':') + 1).trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/**
 * The CPU the addon is built for, in its file name: a cache folder shared between machines (a home folder on a
 * network drive) must never hand one a build with instructions its CPU lacks.
 */
function cpuIdentity(): string {
  return `${cpus()[0]?.model ?? ''} ${[...cpuFlags()].sort().join(' ')}`;
}

/** Where the compiled addon is cached: $TAPEGRAD_NATIVE_DIR, else the user's cache folder, else the temporary one. */
function cacheDir(): string {
  const configured = process.env.TAPEGRAD_NATIVE_DIR;
  if (configured !== undefined && configured !== '') {
    try {
      mkdirSync(configured, { recursive: true });
    } catch (e) {
      throw new Error(`cannot create TAPEGRAD_NATIVE_DIR ${configured}: ${(e as Error).message}`);
    }
    return configured;
  }
  const xdg = process.env.XDG_CACHE_HOME;
  const candidates = [xdg !== undefined && xdg !== '' ? join(xdg, 'tapegrad') : join(homedir(), '.cache', 'tapegrad'), join(tmpdir(), 'tapegrad')];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // not writable: the next one
    }
  }
  return candidates[candidates.length - 1] as string;
}

/**
 * Compiles the addon to `file` (through a temporary name, so that processes compiling at once never load half a
 * file): for this CPU where the compiler can, else for its architecture's baseline.
 */
function compile(compiler: string, include: string, sources: readonly string[], file: string): void {
  const partial = `${file}.${process.pid}.tmp`;
  const run = (flags: readonly string[]) =>
    execFileSync(compiler, [...FLAGS, ...flags, `-I${include}`, ...sources, '-o', partial, '-lopenblas', '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    try {
      run(CPU_FLAGS);
    } catch {
      run([]);
    }
    renameSync(partial, file);
  } catch (e) {
    rmSync(partial, { force: true });
    const said = String((e as { stderr?: unknown }).stderr ?? (e as Error).message).trim();
    throw new Error(
      `cannot compile ${sources.join(' ')} with ${compiler} -lopenblas: the native kernels need a C compiler and OpenBLAS's development files ` +
        `(Debian/Ubuntu: apt-get install gcc libopenblas-dev). ${compiler} said: ${said.split('\n').slice(0, 3).join(' ')}`,
    );
  }
}

let loaded: NativeKernels | string | undefined;

/** The native kernels, compiled (once per source, compiler and CPU) and loaded; or why they cannot be, as a string. */
export function nativeKernels(): NativeKernels | string {
  if (loaded !== undefined) return loaded;
  try {
    const include = nodeIncludeDir();
    if (!existsSync(join(include, 'node_api.h'))) throw new Error(`Node's headers are not installed (no node_api.h in ${include})`);
    const sources = nativeFiles('.c');
    if (!sources.some((f) => f.endsWith('kernels.c'))) throw new Error(`the addon's source is missing (${join(NATIVE, 'kernels.c')})`);
    const compiler = process.env.CC !== undefined && process.env.CC !== '' ? process.env.CC : 'cc';
    const hash = createHash('sha256');
    for (const f of [...sources, ...nativeFiles('.h')]) hash.update(readFileSync(f));
    const key = hash
      .update([compiler, ...FLAGS, ...CPU_FLAGS, process.platform, process.arch, include, cpuIdentity()].join('\0'))
      .digest('hex')
      .slice(0, 16);
    const file = join(cacheDir(), `kernels-${key}.node`);
    if (!existsSync(file)) compile(compiler, include, sources, file);
    // OpenBLAS reads its kernel set when it is loaded, from the environment; a value set there already wins.
    const core = openblasCoreFor(cpuFlags());
    if (core !== undefined && process.env.OPENBLAS_CORETYPE === undefined) process.env.OPENBLAS_CORETYPE = core;
    loaded = createRequire(import.meta.url)(file) as NativeKernels;
  } catch (e) {
    loaded = (e as Error).message;
  }
  return loaded;
}
