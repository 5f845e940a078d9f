import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { PLAIN_MLP, writeMutantModules } from '../test/user-engines/outside.test-helper.ts';
import { main } from './cli.ts';
import { runCli } from './cli-run.test-helper.ts';
import { symbolText } from './compare.ts';
import { liveOutput } from './progress.ts';
import { scratchDir } from './scratch-dir.test-helper.ts';

// `--engine FILE` with networks given by flags, exit codes and `--junit`: each planted mistake of test/mutants/,
// written as a module outside the repository and loaded by path, must fail the run (exit 1) at its layer and
// symbol in the table and in the JUnit XML; the correct plain-JavaScript engine must pass (exit 0) and be timed.

const run = (...args: string[]) => runCli(main, ...args);

interface JCase {
  name: string;
  classname: string;
  failure?: { message: string; '#text'?: string };
}
interface JSuite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  testcase: JCase[];
}

/** The JUnit XML parsed back, with the structure the JUnit schema requires checked. */
function parseJunit(file: string): JSuite[] {
  const xml = readFileSync(file, 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml);
  const root = doc.testsuites;
  expect(root).toBeDefined();
  const suites: JSuite[] = root.testsuite;
  expect(suites.length).toBeGreaterThan(0);
  for (const s of suites) {
    for (const a of ['name', 'tests', 'failures', 'errors']) expect(s).toHaveProperty(a);
    expect(Number(s.tests)).toBe(s.testcase.length);
    expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure !== undefined).length);
    expect(s.errors).toBe('0');
    for (const c of s.testcase) {
      expect(c.name).toBeTruthy();
      expect(c.classname).toBeTruthy();
      if (c.failure !== undefined) expect(c.failure.message).toBeTruthy();
    }
  }
  expect(Number(root.tests)).toBe(suites.reduce((n, s) => n + s.testcase.length, 0));
  expect(Number(root.failures)).toBe(suites.reduce((n, s) => n + Number(s.failures), 0));
  return suites;
}

describe('--engine: a user engine loaded by path', () => {
  it('catches every planted mistake at its layer and symbol, exits 1, and says so in the JUnit XML', async () => {
    const dir = scratchDir('cli-engine');
    for (const { mutant, file } of writeMutantModules(dir)) {
      const junit = join(dir, `${mutant.name.length}.xml`);
      const r = await run('--engine', file, '--sizes', '4,4,4,4', '--activation', 'sigmoid', '--batch', '6', '--dtype', 'float32,float64', '--steps', '2', '--no-speed', '--no-details', '--junit', junit);
      const { layer, symbol } = mutant.expect(3);
      const where = symbolText(symbol, layer);
      expect(r.code, mutant.name).toBe(1);
      expect(r.out).toMatch(new RegExp(`│ custom +│ 4-4-4-4 sigmoid ×6 │ float32 +│ FAIL at ${where.replace(/[\^/]/g, '\\$&')} `));
      expect(r.out).toMatch(/2 of 4 equality checks FAILED/);
      const suites = parseJunit(junit);
      expect(suites.map((s) => s.name)).toEqual(['autograd vs manual', `${mutant.make({ sizes: [4, 4, 4, 4], activation: 'sigmoid' }, 'float64').name} vs manual`]);
      expect(suites[0].failures).toBe('0');
      for (const dtype of ['float32', 'float64']) {
        const cases = suites[1].testcase.filter((c) => c.classname === `custom.${dtype}`);
        // one test case per symbol the engine gives (W^l, b^l, loss, δ^l, ∂W^l, ∂b^l of 3 layers), finite differences, drift
        expect(cases.map((c) => c.name)).toEqual([
          ...['W^3', 'b^3', 'W^2', 'b^2', 'W^1', 'b^1', 'loss'],
          ...[3, 2, 1].flatMap((l) => [`δ^${l}`, `∂loss/∂W^${l}`, `∂loss/∂b^${l}`]),
          ...['finite differences', 'parameter drift'],
        ]);
        const failing = cases.find((c) => c.name === where);
        expect(failing?.failure?.message, `${mutant.name} ${dtype}`).toMatch(new RegExp(`^${where.replace(/[\^/]/g, '\\$&')}.* at step 0: `));
        // everything before it in the backward walk passes
        const walk = cases.map((c) => c.name);
        expect(cases.slice(0, walk.indexOf(where)).every((c) => c.failure === undefined)).toBe(true);
      }
    }
  });

  it('passes a correct engine in plain JavaScript, runs lockstep with its own step and times it beside manual', async () => {
    const dir = scratchDir('cli-engine');
    const json = join(dir, 'out.json');
    const junit = join(dir, 'out.xml');
    const md = join(dir, 'out.md');
    const r = await run('--engine', PLAIN_MLP, '--sizes', '3,5,4', '--activation', 'tanh', '--batch', '8', '--dtype', 'float64', '--steps', '3', '--quick', '--json', json, '--junit', junit, '--markdown', md);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/All 2 equality checks passed/);
    expect(r.out).toMatch(/plain-mlp \(.*plain-mlp\.js\) against the manual engine:/);
    expect(r.out).toMatch(/│ plain-mlp ms │ manual ms │/);
    expect(r.out).toMatch(/│ custom +│ 3-5-4 tanh ×8 │ float64 │ PASS/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const w = report.engine.workloads[0];
    expect(report.engine.name).toBe('plain-mlp');
    expect(w).toMatchObject({ name: 'custom', sizes: [3, 5, 4], engines: ['plain-mlp', 'manual'], data: 'normal' });
    expect(w.equality.lockstep.losses['plain-mlp']).toHaveLength(3);
    expect(w.equality.lockstep.drift.pass).toBe(true);
    expect(w.speed.engineMs).toBeGreaterThan(0);
    expect(w.speed.figures.map((f: { engine: string; phase: string }) => `${f.engine} ${f.phase}`)).toContain('plain-mlp backward');
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toMatch(/^# tapegrad bench: autograd vs manual backprop$/m);
    expect(markdown).toMatch(/^# tapegrad bench: plain-mlp vs manual backprop$/m);
    expect(markdown).toMatch(/\| workload \| network \| dtype \| equality \| .* \| plain-mlp ms \| manual ms \|/);
    const suites = parseJunit(junit);
    expect(suites.map((s) => [s.name, s.failures])).toEqual([
      ['autograd vs manual', '0'],
      ['plain-mlp vs manual', '0'],
    ]);
  });

  it('an engine without step(), forward() or backward() is checked along SGD steps the bench takes, and not timed', async () => {
    const dir = scratchDir('cli-engine');
    const file = join(dir, 'gradients-only.mjs');
    writeFileSync(file, `import { engine as full } from ${JSON.stringify(PLAIN_MLP)};\nexport default (network) => ({ gradients: full(network).gradients });\n`);
    const r = await run('--engine', file, '--sizes', '3,4,2', '--dtype', 'float32', '--steps', '3', '--no-details', '--quick');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/gradients-only has no step\(\): its lockstep runs applied SGD to its gradients/);
    expect(r.out).toMatch(/gradients-only has no forward\(\) and backward\(\): not timed/);
    expect(r.out).toMatch(/│ custom +│ 3-4-2 relu ×32 │ float32 │ PASS .*│ 3 steps, (no drift|drift [\d.e-]+) +│\n/);
    expect(r.out).toMatch(/│ custom +│ float32 │ — +│ — +│ — /); // the speed table: the user engine untimed
  });
});

describe('usage errors exit 2', () => {
  it('names what is wrong', async () => {
    const dir = scratchDir('cli-engine');
    const none = join(dir, 'none.ts');
    expect(await run('--engine', none)).toMatchObject({ code: 2, err: expect.stringContaining(`--engine ${none}: no such file`) });
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const gradient = 1;\n');
    expect(await run('--engine', empty)).toMatchObject({ code: 2, err: expect.stringMatching(/exports no engine; expected `export const engine = .*found gradient/) });
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export const engine = ;\n');
    expect(await run('--engine', broken)).toMatchObject({ code: 2, err: expect.stringContaining('could not be loaded') });
    expect(await run('--activation', 'tanh')).toMatchObject({ code: 2, err: expect.stringContaining('--activation describes the network of --sizes, which is missing') });
    expect(await run('--sizes', '784')).toMatchObject({ code: 2, err: expect.stringContaining('expected at least two positive layer widths') });
    expect(await run('--sizes', '4,0,3')).toMatchObject({ code: 2 });
    expect(await run('--sizes', '4,3', '--activation', 'gelu')).toMatchObject({ code: 2, err: expect.stringContaining('unknown activation "gelu"; choose from sigmoid, tanh, relu, leakyRelu, identity') });
  });

  it('--help lists the new options', async () => {
    const r = await run('--help');
    for (const flag of ['--engine', '--sizes', '--activation', '--batch', '--junit']) expect(r.out).toContain(flag);
    expect(r.out.replace(/\s+/g, ' ')).toContain('Exit code: 0 when every equality check passed, 1 when one failed, 2 for a usage error');
  });
});

describe('output for CI', () => {
  it('progress bars only on a terminal, and never where CI is set', () => {
    expect(liveOutput({ isTTY: true }, {})).toBe(true);
    expect(liveOutput({ isTTY: false }, {})).toBe(false);
    expect(liveOutput({}, {})).toBe(false);
    expect(liveOutput({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(liveOutput({ isTTY: true }, { CI: '1' })).toBe(false);
    expect(liveOutput({ isTTY: true }, { CI: 'false' })).toBe(true);
  });
});
