import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { engine as plainMlp } from '../test/user-engines/plain-mlp.js';
import { junitReport } from './junit.ts';
import { runWorkload } from './run.ts';
import { userEngineFactory } from './user-engine.ts';
import { networkWorkload } from './workloads.ts';

// The JUnit XML holds whatever an engine is called: markup characters round-trip through the parser, and
// characters XML 1.0 cannot hold at all (a terminal colour code) are dropped rather than making the file invalid.

describe('junitReport', () => {
  it('escapes markup and drops what XML cannot hold', async () => {
    const name = 'mine <v2> & "fast" \u001b[31mred\u001b[0m';
    const factory = userEngineFactory((network) => ({ ...plainMlp(network), name }));
    const r = await runWorkload(networkWorkload([3, 4, 2], 'tanh', 4), 'float64', { candidate: factory, steps: 1, speed: false });
    expect(r.equality.pass).toBe(true);
    const xml = junitReport([{ results: [r] }], 'suite & co', new Date('2026-01-02T03:04:05Z'));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    expect(doc.testsuites.name).toBe('suite & co');
    expect(doc.testsuites.testsuite).toMatchObject({ name: 'mine <v2> & "fast" [31mred[0m vs manual', timestamp: '2026-01-02T03:04:05', failures: '0', errors: '0' });
    expect(doc.testsuites.testsuite.testcase[0]).toEqual({ name: 'W^2', classname: 'custom.float64' });
  });

  it('leaves out a group without results', () => {
    const xml = junitReport([{ results: [] }]);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    expect(doc.testsuites).toMatchObject({ tests: '0', failures: '0', errors: '0' });
    expect(doc.testsuites.testsuite).toBeUndefined();
  });
});
