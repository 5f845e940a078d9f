import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PLAIN_MLP } from './user-engines/outside.test-helper.ts';

// What a user runs, run as a user runs it, in child processes: the example's own vitest test (examples/, with
// the documented setup file), which must FAIL naming layer 1 and δ^1, where the planted bug is; and the
// tapegrad-bench bin (tsx's loader registered by the bin itself) on the same engine, a .ts module given by a
// relative path, which must exit 1 naming the same place, and on a correct .js engine, which must exit 0.
// CI is set, so the output must carry no colours and no progress bars.

const bench = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(bench, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'tapegrad-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of a user's shell in CI: none of this test run's vitest or pnpm variables. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'INIT_CWD' || k === 'NODE_OPTIONS' || k === 'TEST') delete env[k];
  return env;
}

function node(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: repo, env: userEnv(), maxBuffer: 1 << 24 }, (error, out, err) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, out, err });
    });
  });
}

const ANSI = /\u001b\[/;

describe('the example', () => {
  it("its vitest test fails, naming layer 1 and δ^1, the first element, both values and the tolerance", async () => {
    const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
    const report = join(dir, 'vitest.json');
    const r = await node([vitest, 'run', '--config', join(bench, 'examples', 'vitest.config.ts'), '--reporter=json', `--outputFile=${report}`]);
    expect(r.code).toBe(1);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.numTotalTests).toBe(1);
    expect(json.numFailedTests).toBe(1);
    const message: string = json.testResults[0].assertionResults[0].failureMessages[0];
    expect(message).toContain("expected gradients to match manual's (4-8-3 tanh, float64, batch 16)");
    expect(message).toContain('first divergence: layer 1, δ^1 (your delta[0])');
    expect(message).toMatch(/first element over tolerance: δ\^1\[\d+, \d+\] = \S+ \(yours\) vs \S+ \(manual\)/);
    expect(message).toMatch(/tolerance broken: \|yours − manual\| = \S+ > rtol 1e-10 × max/);
    expect(message).toContain('agrees before it in the backward walk: loss, δ^2, ∂loss/∂W^2, ∂loss/∂b^2');
  });

  it('through the bin, the same engine (.ts, a relative path) exits 1 naming δ^1, with JUnit XML and no colours', async () => {
    const junit = join(dir, 'example.xml');
    const engine = relative(repo, join(bench, 'examples', 'two-layer-backprop.ts'));
    const r = await node([join(bench, 'bin', 'tapegrad-bench.js'), '--engine', engine, '--sizes', '4,8,3', '--activation', 'tanh', '--batch', '16', '--dtype', 'float64', '--steps', '2', '--no-speed', '--junit', junit]);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/two-layer backprop \(.*examples\/two-layer-backprop\.ts\) against the manual engine:/);
    expect(r.out).toMatch(/│ custom +│ 4-8-3 tanh ×16 │ float64 │ FAIL at δ\^1 /);
    expect(r.out).toMatch(/first divergence: δ\^1\[\d+, \d+\] at step 0: /);
    expect(r.out).toContain('1 of 2 equality checks FAILED');
    expect(r.out).not.toMatch(ANSI);
    expect(r.out).not.toContain('\r');
    expect(readFileSync(junit, 'utf8')).toMatch(/<testcase name="δ\^1" classname="custom\.float64">\s*<failure message="δ\^1\[\d+, \d+\] at step 0: /);
  });

  it('through the bin, a correct .js engine exits 0', async () => {
    const r = await node([join(bench, 'bin', 'tapegrad-bench.js'), '--engine', PLAIN_MLP, '--sizes', '3,4,3', '--activation', 'sigmoid', '--batch', '5', '--steps', '2', '--no-speed', '--no-details']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('All 4 equality checks passed');
    expect(r.out).not.toMatch(ANSI);
  });
});
