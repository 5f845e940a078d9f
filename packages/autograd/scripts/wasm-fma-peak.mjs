#!/usr/bin/env node
// The ceiling of the wasm kernels on this machine: multiply-adds a second of a loop of nothing but independent
// f32x4.relaxed_madd (twelve accumulators, no loads), on one thread and on two at once, compiled with the same
// AssemblyScript as assembly/. The matrix products are measured against it (RESULTS.md).
//
//   node --experimental-wasm-relaxed-simd packages/autograd/scripts/wasm-fma-peak.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const LANES = 4;
const CHAINS = 12;
const source = `export function peak(iters: i32): f32 {
${Array.from({ length: CHAINS }, (_, i) => `  let a${i} = f32x4.splat(1);`).join('\n')}
  const b = f32x4.splat(0.9999), c = f32x4.splat(0.0001);
  for (let i = 0; i < iters; i++) {
${Array.from({ length: CHAINS }, (_, i) => `    a${i} = f32x4.relaxed_madd(a${i}, b, c);`).join('\n')}
  }
  return f32x4.extract_lane(${Array.from({ length: CHAINS }, (_, i) => `a${i}`).reduce((s, a) => `f32x4.add(${s}, ${a})`)}, 0);
}`;
const dir = mkdtempSync(join(tmpdir(), 'wasm-peak-'));
writeFileSync(join(dir, 'peak.ts'), source);
const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
execFileSync(process.execPath, [asc, join(dir, 'peak.ts'), '-O3', '--runtime', 'stub', '--enable', 'simd,relaxed-simd', '-o', join(dir, 'peak.wasm')]);
const bytes = readFileSync(join(dir, 'peak.wasm'));
rmSync(dir, { recursive: true });

const ITERS = 3e7;
const macs = ITERS * CHAINS * LANES;
const body = `const { parentPort, workerData } = require('node:worker_threads');
WebAssembly.instantiate(workerData.bytes, { env: { abort() {} } }).then(({ instance }) => {
  instance.exports.peak(1e6);
  parentPort.on('message', () => { const t = performance.now(); instance.exports.peak(${ITERS}); parentPort.postMessage(performance.now() - t); });
  parentPort.postMessage('ready');
});`;
const workers = [0, 1].map(() => new Worker(body, { eval: true, workerData: { bytes } }));
await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
const run = (ws) => Promise.all(ws.map((w) => new Promise((r) => { w.once('message', r); w.postMessage(0); })));
for (let round = 0; round < 3; round++) {
  const [one] = await run(workers.slice(0, 1));
  const t = performance.now();
  await run(workers);
  const both = performance.now() - t;
  console.log(`one thread ${(macs / one / 1e6).toFixed(1)} G multiply-adds/s, two threads ${((2 * macs) / both / 1e6).toFixed(1)}`);
}
for (const w of workers) await w.terminate();
