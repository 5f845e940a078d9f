import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendAvailable, getBackend, wasmFusedMultiplyAdd } from '@tapegrad/autograd/kernels';
import { describe, expect, it } from 'vitest';
import { main, userPath } from './cli.ts';
import { TERMINAL_COLUMNS } from './columns.ts';
import { runCli } from './cli-run.test-helper.ts';
import { scratchDir } from './scratch-dir.test-helper.ts';

const run = (...args: string[]) => runCli(main, ...args);

describe('CLI usage errors', () => {
  it('an unknown workload lists the choices', async () => {
    const r = await run('--workload', 'mnist');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown workload "mnist"; choose from chapter, spiral, mnist-mlp, wide/);
  });

  it('an unknown dtype lists the choices', async () => {
    const r = await run('--dtype', 'float16');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown dtype "float16"; choose from float32, float64/);
  });

  it('an unknown kernel backend lists the choices', async () => {
    const r = await run('--backend', 'gpu');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown kernel backend "gpu"; choose from js, wasm, native/);
  });

  it('steps must be a positive integer', async () => {
    for (const bad of ['0', '-3', '2.5', 'many']) {
      const r = await run('--steps', bad);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/expected a positive integer/);
    }
  });

  it("fashion's --epochs and --seed are errors where --workload leaves fashion out; a seed is an integer ≥ 0", async () => {
    for (const flag of ['--epochs', '--seed']) {
      const r = await run('--workload', 'chapter,spiral', flag, '2');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--${flag.slice(2)} is for the fashion workload, which --workload leaves out (chapter, spiral)`);
    }
    for (const bad of ['-1', '2.5', 'x']) {
      const r = await run('--workload', 'fashion', '--seed', bad);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/expected an integer ≥ 0/);
    }
  });

  it('unknown flags and stray arguments are errors that point to --help', async () => {
    const r = await run('--fast');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--fast'/);
    expect(r.err).toMatch(/--help/);
    expect((await run('chapter')).code).toBe(2);
  });

  it('--help lists every option and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const flag of ['--workload', '--dtype', '--steps', '--quick', '--json', '--markdown', '--data', '--no-speed', '--backend']) expect(r.out).toContain(flag);
  });

  it('an empty list of workloads, dtypes or peers is an error naming the flag, not a run of nothing', async () => {
    for (const [flag, option, what] of [['-w', '-w, --workload <names>', 'workload'], ['--dtype', '-d, --dtype <dtypes>', 'dtype'], ['--peers', '--peers [names]', 'peer']]) {
      for (const value of ['', ',', ' , ']) {
        const r = await run(flag, value);
        expect(r.code, `${flag} '${value}'`).toBe(2);
        expect(r.err).toContain(`error: option '${option}' argument '${value}' is invalid. no ${what} named; choose from`);
        expect(r.out).toBe('');
      }
    }
  });

  it('a --data directory that does not exist, or holds no MNIST files, is a usage error before anything runs', async () => {
    const missing = await run('--workload', 'chapter,mnist-mlp', '--data', '/nonexistent/mnist', '--no-speed');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('error: --data /nonexistent/mnist: not a directory');
    expect(missing.out).toBe('');
    const empty = scratchDir('cli-data');
    const r = await run('--workload', 'mnist-mlp', '--data', empty, '--no-speed');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: --data ${empty}: no MNIST images file; looked for train-images-idx3-ubyte`);
    expect(r.out).toBe('');
  });

  it('--data with workloads that make their own data says so, and runs', async () => {
    const dir = scratchDir('cli-data');
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), '');
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), '');
    const r = await run('--workload', 'chapter', '--dtype', 'float64', '--steps', '1', '--no-speed', '--no-details', '--data', dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`note: --data ${dir} is not read by this run: its workloads (chapter) make their own data; mnist-mlp and wide read it`);
    expect(r.out).toMatch(/All 1 equality checks passed/);
  });

  it.each(['--json', '--markdown', '--junit'])('an output file %s cannot be written to is a usage error naming the flag and the path, before the run', async (flag) => {
    const dir = scratchDir('cli-out');
    const inMissingDir = join(dir, 'no-such-dir', 'out.txt');
    const r = await run('--workload', 'chapter', '--no-speed', flag, inMissingDir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: ${flag} ${inMissingDir}: cannot write ${inMissingDir}: the directory ${join(dir, 'no-such-dir')} does not exist`);
    expect(r.out).toBe(''); // nothing ran
    const onDir = await run('--workload', 'chapter', '--no-speed', flag, dir);
    expect(onDir.code).toBe(2);
    expect(onDir.err).toContain(`error: ${flag} ${dir}: ${dir} is a directory; expected a file to write`);
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const underFile = await run('--workload', 'chapter', '--no-speed', flag, join(file, 'out.txt'));
    expect(underFile.code).toBe(2);
    expect(underFile.err).toContain(`cannot write ${join(file, 'out.txt')}: ${file} is not a directory`);
  });
});

describe('paths', () => {
  it('resolves user paths against the directory pnpm was started from', () => {
    expect(userPath('out.json', { INIT_CWD: '/home/me/project' })).toBe('/home/me/project/out.json');
    expect(userPath('/tmp/out.json', { INIT_CWD: '/home/me' })).toBe('/tmp/out.json');
  });
});

describe('a run', () => {
  it('checks, writes JSON and markdown, and exits 0', async () => {
    const dir = scratchDir('cli');
    const json = join(dir, 'out.json');
    const md = join(dir, 'out.md');
    const r = await run('--workload', 'chapter,spiral', '--dtype', 'float64', '--steps', '2', '--no-speed', '--no-details', '--json', json, '--markdown', md);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[chapter float64\] lockstep, 2 SGD steps: equal/);
    expect(r.out).toMatch(/All 2 equality checks passed/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.workloads.map((w: { name: string }) => w.name)).toEqual(['chapter', 'spiral']);
    const w = report.workloads[0];
    expect(w).toMatchObject({ name: 'chapter', sizes: [2, 2, 2, 3], activation: 'sigmoid', batch: 3, dtype: 'float64', speed: null });
    expect(w.equality).toMatchObject({ pass: true, firstDivergence: null });
    for (const key of ['exact', 'maxAbs', 'maxRel', 'maxUlps']) expect(w.equality).toHaveProperty(key);
    expect(readFileSync(md, 'utf8')).toMatch(/\| chapter \| 2-2-2-3 sigmoid ×3 \| float64 \| PASS/);
  });

  for (const backend of ['js', 'wasm', 'native'] as const) {
    it.skipIf(!backendAvailable(backend))(`--backend ${backend}: used by both engines, named in the summary, the JSON and the markdown`, async () => {
      const before = getBackend();
      const dir = scratchDir('cli');
      const json = join(dir, 'out.json');
      const md = join(dir, 'out.md');
      const r = await run('--backend', backend, '--workload', 'spiral', '--dtype', 'float32', '--steps', '2', '--no-speed', '--json', json, '--markdown', md);
      expect(r.code).toBe(0);
      expect(getBackend()).toBe(before); // restored after the run
      const detail = { js: '', wasm: '( \\(\\d+ threads?(, FMA)?\\))?', native: ' \\(OpenBLAS \\w+, \\d+ threads?\\)' }[backend];
      expect(r.out).toMatch(new RegExp(`^tapegrad bench: spiral × float32, ${backend}${detail} kernels, on `));
      expect(r.out).toMatch(new RegExp(`Kernel backend: ${backend}\\b`));
      expect(r.out).toMatch(new RegExp(`passed in [\\d.]+ s on the ${backend} kernels`));
      expect(r.out).toMatch(/│ peak RSS MB │/);
      expect(r.out).toMatch(/memory: peak RSS \d+ MB while the workload ran/);
      // laid out for a 120-column terminal, details included (code points are columns here: no wide characters)
      const widest = Math.max(...r.out.split('\n').map((line) => [...line].length));
      expect(widest).toBeLessThanOrEqual(TERMINAL_COLUMNS);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(report.backend).toBe(backend);
      expect(report.kernelThreads).toBeGreaterThanOrEqual(1);
      expect(report.fusedMultiplyAdd).toBe(backend === 'wasm' && wasmFusedMultiplyAdd());
      const w = report.workloads[0];
      expect(w.backend).toBe(backend);
      expect(w.memory.peakRssMB).toBeGreaterThan(0);
      expect(w.memory.peakRssMB).toBeGreaterThanOrEqual(w.memory.startRssMB);
      expect(w.memory.processMaxRssMB).toBeGreaterThanOrEqual(w.memory.peakRssMB - 1);
      expect(w.memory.samples).toBeGreaterThanOrEqual(2 + 3); // start, data, finite differences, each step, end
      const text = readFileSync(md, 'utf8');
      expect(text).toContain(`Kernel backend: ${backend}`);
      expect(text).toMatch(/\| peak RSS MB \|/);
      expect(text).toContain(`${backend} kernels.`);
    });
  }
});
