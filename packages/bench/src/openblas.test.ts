import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBatches } from './datasets/dataset.ts';
import { loadDataset } from './datasets/load.ts';
import { manualEngine } from './engines/index.ts';
import { initParams } from './init.ts';
import type { OpenblasAddon, OpenblasProblem } from './openblas.ts';
import { compileOpenblasStep, encodeProblem, loadOpenblasAddon, runOpenblasStep, writeProblemFile } from './openblas.ts';
import { scratchDir } from './scratch-dir.test-helper.ts';
import { workloadByName } from './workloads.ts';

function problemOf(name: string): OpenblasProblem {
  const w = workloadByName(name);
  const params = initParams(w.sizes, w.activation, w.seed);
  const batch = makeBatches(loadDataset(w), w.batch, 1, w.seed)[0];
  return { sizes: w.sizes, activation: w.activation, params, batch, lr: w.lr };
}

/** The compiled C step, or why it cannot be built here (no gcc or no libopenblas-dev). */
function tryCompile(dir: string): { exe: string; addon: OpenblasAddon } | { reason: string } {
  try {
    return { exe: compileOpenblasStep(dir), addon: loadOpenblasAddon(dir, undefined) };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

describe('the OpenBLAS problem file', () => {
  it('holds the header, the parameters layer by layer, the batch and the labels, little-endian', () => {
    const p = problemOf('chapter');
    const bytes = encodeProblem(p);
    const v = new DataView(bytes.buffer);
    const ints = (at: number, count: number) => Array.from({ length: count }, (_, i) => v.getInt32(at + 4 * i, true));
    expect(ints(0, 1)).toEqual([3]);
    expect(ints(4, 4)).toEqual([2, 2, 2, 3]);
    expect(ints(20, 2)).toEqual([3, 1]); // N, sigmoid
    expect(v.getFloat32(28, true)).toBe(0.5);
    expect(v.getFloat32(32, true)).toBe(Math.fround(p.params.W[0][0][0]));
    expect(v.getFloat32(36, true)).toBe(Math.fround(p.params.W[0][0][1]));
    expect(v.getFloat32(48, true)).toBe(Math.fround(p.params.b[0][0]));
    const params = 2 * 2 + 2 + 2 * 2 + 2 + 2 * 3 + 3;
    const x = 32 + 4 * params;
    expect(v.getFloat32(x, true)).toBe(Math.fround(p.batch.x[0]));
    expect(ints(x + 4 * 3 * 2, 3)).toEqual(Array.from(p.batch.labels));
    expect(bytes.length).toBe(x + 4 * 3 * 2 + 4 * 3);
  });

  it('refuses what the C step cannot run, saying why', () => {
    const p = problemOf('chapter');
    expect(() => encodeProblem({ ...p, activation: 'tanh' })).toThrow('openblas: activation "tanh" has no C version; expected relu or sigmoid');
    expect(() => encodeProblem({ ...p, sizes: [2, 2, 3] })).toThrow('openblas: parameters for 3 layers, sizes [2, 2, 3] need 2');
    expect(() => encodeProblem({ ...p, sizes: [3, 2, 2, 3] })).toThrow('openblas: batch rows have 2 features, the network takes 3');
    expect(() => encodeProblem({ ...p, sizes: [2, 3, 2, 3] })).toThrow('openblas: W^1 or b^1 does not have the shape (2 × 3) the sizes give');
  });
});

const buildDir = mkdtempSync(join(tmpdir(), 'tapegrad-openblas-'));
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));
const compiled = tryCompile(buildDir);

describe('the C training step on OpenBLAS', () => {
  it.skipIf('reason' in compiled)(
    `trains as the manual engine does: the same losses over 5 steps, on 1 and 2 threads${'reason' in compiled ? ` (skipped: ${compiled.reason})` : ''}`,
    () => {
      const exe = (compiled as { exe: string }).exe;
      for (const name of ['chapter', 'spiral']) {
        const p = problemOf(name);
        const file = writeProblemFile(p, scratchDir('openblas'));
        const manual = manualEngine({ sizes: p.sizes, activation: p.activation }, 'float32');
        manual.setParams(p.params);
        const want = Array.from({ length: 5 }, () => manual.step(p.batch, p.lr));
        for (const threads of [1, 2]) {
          const run = runOpenblasStep(exe, file, { threads, checkSteps: 5, samples: 3, minSampleMs: 1 });
          expect(run.threads).toBe(threads);
          expect(run.core.length).toBeGreaterThan(0);
          expect(run.losses).toHaveLength(5);
          for (let s = 0; s < 5; s++) expect(Math.abs(run.losses[s] - want[s]) / want[s], `${name} step ${s}`).toBeLessThan(1e-5);
          expect(want[4]).toBeLessThan(want[0]); // it trained
          expect(run.sampleMs).toHaveLength(3);
          expect(run.sampleMs.every((ms) => ms > 0)).toBe(true);
        }
      }
    },
  );

  it.skipIf('reason' in compiled)('rejects a problem file it cannot read, with exit code 2 and a message', () => {
    const exe = (compiled as { exe: string }).exe;
    const dir = scratchDir('openblas');
    expect(() => runOpenblasStep(exe, `${dir}/missing.bin`, { threads: 1, checkSteps: 1, samples: 1, minSampleMs: 1 })).toThrow(
      /openblas-step: cannot open the problem file/,
    );
  });
});

describe('the OpenBLAS step as a Node addon (the openblas peer)', () => {
  it.skipIf('reason' in compiled)(
    `gives the manual engine's gradients, then steps as the program does${'reason' in compiled ? ` (skipped: ${compiled.reason})` : ''}`,
    () => {
      const { exe, addon } = compiled as { exe: string; addon: OpenblasAddon };
      const p = problemOf('spiral');
      const manual = manualEngine({ sizes: p.sizes, activation: p.activation }, 'float32');
      manual.setParams(p.params);
      const want = manual.symbols(p.batch);
      const session = addon.load(encodeProblem(p), 2);
      const g = addon.gradients(session);
      expect(Math.abs(g.loss - want.loss) / want.loss).toBeLessThan(1e-6);
      for (let l = 0; l < 3; l++) {
        const scale = Math.max(...want.layers[l].dW.data.map(Math.abs));
        expect(g.dW[l]).toBeInstanceOf(Float32Array);
        expect(g.dW[l]).toHaveLength(p.sizes[l] * p.sizes[l + 1]);
        expect(g.db[l]).toHaveLength(p.sizes[l + 1]);
        g.dW[l].forEach((v, i) => expect(Math.abs(v - want.layers[l].dW.data[i])).toBeLessThan(1e-5 * scale));
      }
      const losses = Array.from({ length: 4 }, () => addon.step(session));
      const program = runOpenblasStep(exe, writeProblemFile(p, scratchDir('openblas')), { threads: 1, checkSteps: 4, samples: 1, minSampleMs: 1 });
      losses.forEach((loss, s) => expect(Math.abs(loss - program.losses[s]) / loss).toBeLessThan(1e-6));
      addon.free(session);
      expect(() => addon.step(session)).toThrow('openblas addon: the session was freed');
      expect(() => addon.gradients({})).toThrow('openblas addon: expected a session from load()');
      expect(() => addon.load(encodeProblem(p).subarray(0, 40), 1)).toThrow('problem too short');
      expect(() => addon.load(new Uint8Array(4), 1)).toThrow('layer count out of range');
    },
  );
});
