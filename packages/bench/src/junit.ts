import { hostname } from 'node:os';
import { XMLBuilder } from 'fast-xml-parser';
import type { SymbolDiff } from './compare.ts';
import { describeDivergence, position, symbolText } from './compare.ts';
import { sci } from './format.ts';
import type { WorkloadResult } from './run.ts';

// `--junit FILE`: the equality checks as JUnit XML, which CI systems show as tests. One test suite per pair of
// engines compared (autograd vs manual, yours vs manual); in it one test case per workload × dtype × symbol (the
// parameters, a^l, the loss, δ^l, ∂loss/∂W^l, ∂loss/∂b^l, as compared at the lockstep step where the engines first
// diverged, or at the last step), plus the finite differences and the parameter drift. A failure carries the
// divergence in words. fast-xml-parser's builder writes the XML (it escapes text and attributes); characters that
// XML 1.0 cannot hold at all (terminal control codes) are dropped first.

/** One suite's results: every workload × dtype of one pair of engines. */
export interface JunitGroup {
  readonly results: readonly WorkloadResult[];
}

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly failure?: { readonly message: string; readonly text: string };
}

// XML 1.0's Char production leaves out C0 controls other than tab, newline and carriage return, and U+FFFE/U+FFFF
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const xmlText = (s: string) => s.replace(NOT_XML, '');

function entryFailure(e: SymbolDiff, r: WorkloadResult, step: number | undefined): Case['failure'] {
  const first = r.equality.firstDivergence;
  const at = step === undefined ? '' : ` at step ${step}`;
  let message: string;
  if (e.problem !== undefined && e.problem.startsWith('shape')) message = `${symbolText(e.symbol, e.layer)}${at}: ${e.problem}`;
  else {
    const f = e.first ?? (e.worst && { ...e.worst, rel: e.maxRel });
    const where = f === null ? '' : `[${position(f.index, e.shape).join(', ')}]`;
    message =
      `${symbolText(e.symbol, e.layer)}${e.symbol === 'loss' ? '' : where}${at}: ${f?.a} vs ${f?.b} ` +
      `(${r.engines[0]} vs ${r.engines[1]}; relative error ${sci(f?.rel ?? NaN, 2)} over ${sci(r.equality.tolerance.rtol, 0)}, ` +
      `${e.mismatches}/${e.count} elements over tolerance)`;
  }
  const cause = first !== null && (first.layer !== e.layer || first.symbol !== e.symbol) ? `\nfirst divergence of the run: ${describeDivergence(first)}` : '';
  return { message, text: `${message}${cause}` };
}

function casesOf(r: WorkloadResult): Case[] {
  const classname = `${r.name}.${r.dtype}`;
  const e = r.equality;
  const step = e.firstDivergence?.step;
  const cases: Case[] = e.steps.entries.map((x) => ({
    name: symbolText(x.symbol, x.layer),
    classname,
    ...(x.pass ? {} : { failure: entryFailure(x, r, step) }),
  }));
  const fd = e.finiteDifferences;
  const fdFails = fd.samples.filter((s) => s.engines.some((g) => g.status === 'fail'));
  cases.push({
    name: 'finite differences',
    classname,
    ...(fd.pass
      ? {}
      : {
          failure: {
            message: `${fd.failed} of ${fd.checked} sampled parameters differ from float64 central differences`,
            text: fdFails
              .map((s) => `${s.param}^${s.layer}[${s.at.join(', ')}]: difference quotient ${s.fd}, ${s.engines.map((g) => `${g.name} ${g.grad} (${g.status})`).join(', ')}`)
              .join('\n'),
          },
        }),
  });
  cases.push({
    name: 'parameter drift',
    classname,
    ...(e.drift.pass || e.drift.firstDivergence === null
      ? {}
      : { failure: { message: `after ${r.steps} steps: ${describeDivergence(e.drift.firstDivergence)}`, text: describeDivergence(e.drift.firstDivergence) } }),
  });
  return cases;
}

const xmlCase = (c: Case) => ({
  '@_name': xmlText(c.name),
  '@_classname': xmlText(c.classname),
  ...(c.failure === undefined ? {} : { failure: { '@_message': xmlText(c.failure.message), '@_type': 'GradientMismatch', '#text': xmlText(c.failure.text) } }),
});

/** The JUnit XML of one or more groups of results (a group with no results is left out). */
export function junitReport(groups: readonly JunitGroup[], name = 'tapegrad-bench', timestamp = new Date()): string {
  const suites = groups
    .filter((g) => g.results.length > 0)
    .map((g) => {
      const cases = g.results.flatMap(casesOf);
      const [a, b] = g.results[0].engines;
      return {
        name: `${a} vs ${b}`,
        tests: cases.length,
        failures: cases.filter((c) => c.failure !== undefined).length,
        time: g.results.reduce((s, r) => s + r.seconds, 0),
        cases,
      };
    });
  const total = (k: 'tests' | 'failures') => suites.reduce((s, x) => s + x[k], 0);
  const time = (t: number) => t.toFixed(3);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': xmlText(name),
      '@_tests': total('tests'),
      '@_failures': total('failures'),
      '@_errors': 0,
      '@_time': time(suites.reduce((s, x) => s + x.time, 0)),
      testsuite: suites.map((s) => ({
        '@_name': xmlText(s.name),
        '@_tests': s.tests,
        '@_failures': s.failures,
        '@_errors': 0,
        '@_skipped': 0,
        '@_time': time(s.time),
        '@_timestamp': timestamp.toISOString().slice(0, 19),
        '@_hostname': xmlText(hostname()),
        testcase: s.cases.map(xmlCase),
      })),
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true }).build(doc);
}
