#!/usr/bin/env node
// Builds the WebAssembly kernel backend: assembly/*.ts (AssemblyScript) → build/kernels.wasm,
// build/kernels-fma.wasm and their -local twins (see the end of this file).
//
// Run by `pnpm install` (the workspace root's postinstall), by the package's build (and so by `pnpm pack`, which
// ships the .wasm), and on demand by src/kernels/wasm-loader.ts
// when the .wasm is missing or older than its sources. Plain .mjs so it needs neither tsx nor a
// TypeScript build. Usage: node scripts/build-wasm.mjs [--wat] [--quiet]
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
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(pkgRoot, 'build');
const wat = process.argv.includes('--wat');
const quiet = process.argv.includes('--quiet');

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
// runtimes that cannot run relaxed-simd; src/kernels/wasm-loader.ts picks one at run time. Each comes
// twice: over a shared memory, for the products split across worker threads, and (-local) over a
// plain one, for everything that runs on the calling thread alone: V8 copies into and out of a
// SharedArrayBuffer word by word (it must, other threads may be writing), measured here at 21-24 GB/s
// against 39-123 GB/s for the same copy into a plain ArrayBuffer (16 KB to 800 KB).
await build('kernels', 'simd,threads', true);
await build('kernels-fma', 'simd,threads,relaxed-simd', true);
await build('kernels-local', 'simd', false);
await build('kernels-fma-local', 'simd,relaxed-simd', false);
