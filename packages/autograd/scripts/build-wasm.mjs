#!/usr/bin/env node
// Builds the WebAssembly kernel backend: assembly/*.ts (AssemblyScript) → build/kernels.wasm,
// build/kernels-fma.wasm and their -local twins (see the end of this file).
//
// Run by `pnpm install` (the workspace root's postinstall), by the package's build (and so by `pnpm pack`, which
// ships the .wasm) and by `pnpm --filter @tapegrad/autograd build:wasm`; never at run time (src/kernels/wasm/module.ts only reads what this writes). Plain .mjs so it needs neither tsx nor a
// TypeScript build. Usage: node scripts/build-wasm.mjs [--wat] [--quiet] [--check]
//
// Next to the modules it writes build/manifest.json, with a hash of what they were built from (assembly/*.ts, this
// script and the compiler's version). --check builds nothing: it exits 1, saying so, unless build/ holds every
// module and the manifest's hash is that of the sources as they are now (src/kernels/wasm/module.test.ts runs it).
//
// Flags, and why:
//   --runtime stub        no GC: the kernels never allocate; JS owns the linear memory layout.
//   -O3 --noAssert        speed; the JS side validates shapes before calling in.
//   --importMemory --sharedMemory --maximumMemory 65536 --enable threads
//                         the memory is created in JS as a shared WebAssembly.Memory so worker
//                         threads can instantiate the same module over the same memory (large
//                         products are split across threads); 65536 pages = the 4 GiB wasm32 limit.
//                         The -local builds leave out --sharedMemory and threads (see below).
//   --enable simd         v128 kernels; the -fma variant adds relaxed-simd for f32x4/f64x2.relaxed_madd
//                         (a fused multiply-add where the CPU has one: ~30% more GEMM throughput here).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(pkgRoot, 'build');
const manifestPath = join(outDir, 'manifest.json');
const wat = process.argv.includes('--wat');
const quiet = process.argv.includes('--quiet');
const REBUILD = 'pnpm --filter @tapegrad/autograd build:wasm';

/** The modules, by file: the wasm features each is compiled with, and whether its memory is shared (see the end). */
const MODULES = {
  'kernels.wasm': { features: 'simd,threads', shared: true },
  'kernels-fma.wasm': { features: 'simd,threads,relaxed-simd', shared: true },
  'kernels-local.wasm': { features: 'simd', shared: false },
  'kernels-fma-local.wasm': { features: 'simd,relaxed-simd', shared: false },
};

/** sha256 of everything the modules are built from: assembly/*.ts, this script, the compiler's version. */
function sourceHash() {
  const hash = createHash('sha256');
  const dir = join(pkgRoot, 'assembly');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) hash.update(`${f}\0`).update(readFileSync(join(dir, f)));
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  const ascPackage = createRequire(import.meta.url).resolve('assemblyscript/package.json');
  hash.update(JSON.parse(readFileSync(ascPackage, 'utf8')).version);
  return hash.digest('hex');
}

if (process.argv.includes('--check')) {
  const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
  const missing = Object.keys(MODULES).filter((f) => !existsSync(join(outDir, f)));
  const problem =
    manifest === null ? `${manifestPath} missing`
    : missing.length > 0 ? `${missing.join(', ')} missing from ${outDir}`
    : manifest.sources !== sourceHash() ? `${outDir} was built from other sources than assembly/ holds now`
    : null;
  if (problem !== null) {
    console.error(`build-wasm --check: ${problem}: rebuild the wasm kernels with \`${REBUILD}\``);
    process.exit(1);
  }
  if (!quiet) console.log(`build-wasm --check: ${outDir} matches its sources (${manifest.sources.slice(0, 12)}…)`);
  process.exit(0);
}

let asc;
try {
  asc = await import('assemblyscript/asc');
} catch (e) {
  console.error(`build-wasm: cannot load the AssemblyScript compiler (is the devDependency installed?): ${e.message}`);
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });

/** Compiles assembly/ with the given wasm features into build/<name>.wasm, over a shared memory or a plain one. */
async function build(name, features, shared) {
  const outFile = join(outDir, `${name}.wasm`);
  // Write under a unique name and rename: concurrent builds (parallel test workers) never expose a
  // half-written file.
  const tmp = `${outFile}.${process.pid}.tmp`;
  const args = [
    join(pkgRoot, 'assembly', 'index.ts'),
    '--outFile', tmp,
    '--runtime', 'stub',
    '-O3',
    '--noAssert',
    '--importMemory',
    ...(shared ? ['--sharedMemory'] : []),
    '--initialMemory', '1',
    '--maximumMemory', '65536',
    '--enable', features,
  ];
  if (wat) args.push('--textFile', join(outDir, `${name}.wat`));
  const started = performance.now();
  const { error, stderr } = await asc.main(args);
  if (error) {
    rmSync(tmp, { force: true });
    console.error(stderr.toString());
    console.error(`build-wasm: ${name}: ${error.message}`);
    process.exit(1);
  }
  renameSync(tmp, outFile);
  if (!quiet) console.log(`build-wasm: ${outFile} (${(performance.now() - started).toFixed(0)} ms)`);
}

// Variants of the same sources. kernels-fma uses relaxed-simd's fused multiply-add in the GEMM
// micro-kernels (ASC_FEATURE_RELAXED_SIMD, assembly/micro-kernels.ts); kernels is plain SIMD, for
// runtimes that cannot run relaxed-simd; src/kernels/wasm/module.ts picks one at run time. Each comes
// twice: over a shared memory, for the products split across worker threads, and (-local) over a
// plain one, for everything that runs on the calling thread alone: V8 copies into and out of a
// SharedArrayBuffer word by word (it must, other threads may be writing), measured here at 21-24 GB/s
// against 39-123 GB/s for the same copy into a plain ArrayBuffer (16 KB to 800 KB).
const sources = sourceHash();
for (const [file, { features, shared }] of Object.entries(MODULES)) await build(file.replace(/\.wasm$/, ''), features, shared);
writeFileSync(manifestPath, `${JSON.stringify({ sources, modules: MODULES }, null, 2)}\n`);
