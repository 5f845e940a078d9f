import Table from 'cli-table3';
import type { SymbolDiff } from '../compare.ts';
import { position, symbolText } from '../compare.ts';
import { sci } from '../format.ts';
import { COMPACT, entryRow } from '../report.ts';
import type { GradientReport } from './check-gradients.ts';

// A gradient check in words: the failure message of toMatchGradients, and the full report (the table the bench
// prints for every compared array, then the finite differences).

function element(e: SymbolDiff, index: number): string {
  return e.symbol === 'loss' ? 'loss' : `${symbolText(e.symbol, e.layer)}[${position(index, e.shape).join(', ')}]`;
}

/** The lines that say where and how your gradients first differ from the reference's. */
export function divergenceLines(r: GradientReport): string[] {
  const e = r.equality.entries.find((x) => !x.pass);
  if (e === undefined) return [];
  const ref = r.reference;
  const key = e.symbol === 'loss' ? 'loss' : `${e.symbol}[${e.layer - 1}]`; // where it is in your { dW, db, delta }
  const lines = [`first divergence: layer ${e.layer}, ${symbolText(e.symbol, e.layer)} (your ${key})`];
  const tol = r.equality.tolerance;
  if (e.problem !== undefined && e.problem.startsWith('shape')) {
    const [mine, theirs] = e.problem.replace('shape ', '').split(' vs ');
    lines.push(`  shape: yours is ${mine}, ${ref}'s is ${theirs}`);
    return lines;
  }
  const f = e.first;
  if (f !== null) {
    const bound = tol.rtol * Math.max(Math.abs(f.a), Math.abs(f.b), tol.floor * e.scale);
    lines.push(`  first element over tolerance: ${element(e, f.index)} = ${f.a} (${r.name}) vs ${f.b} (${ref})`);
    lines.push(
      `  tolerance broken: |${r.name} − ${ref}| = ${sci(Math.abs(f.a - f.b), 2)} > rtol ${sci(tol.rtol, 0)} × max(|${r.name}|, |${ref}|, ` +
        `floor ${tol.floor} × scale ${sci(e.scale, 2)}) = ${sci(bound, 2)} (relative error ${sci(f.rel, 2)}; ${r.dtype})`,
    );
  }
  if (e.worst !== null && (f === null || e.worst.index !== f.index)) {
    lines.push(`  worst element: ${element(e, e.worst.index)} = ${e.worst.a} vs ${e.worst.b} (relative error ${sci(e.maxRel, 2)})`);
  }
  lines.push(`  ${e.mismatches} of ${e.count} elements over tolerance${e.problem !== undefined ? `; ${e.problem}` : ''}`);
  const before = r.equality.entries.slice(0, r.equality.entries.indexOf(e));
  if (before.length > 0) lines.push(`  agrees before it in the backward walk: ${before.map((x) => symbolText(x.symbol, x.layer)).join(', ')}`);
  return lines;
}

/** One line on the finite differences: how many of your sampled gradients the central differences contradict. */
export function fdLine(r: GradientReport): string {
  const fd = r.finiteDifferences;
  if (fd === null) return 'finite differences: not run';
  const shaped = fd.samples.length > 0 && fd.samples[0].engines.length > 1;
  const refFailed = fd.samples.filter((s) => s.engines[s.engines.length - 1].status === 'fail').length;
  const mine = shaped ? `${r.name}: ${r.fdFailed} failed` : `${r.name}: not compared (wrong shapes)`;
  return (
    `finite differences (float64 central, h = ${fd.h}, ${fd.rows} rows): ${fd.checked} parameters, ${mine}, ` +
    `${r.reference}: ${refFailed} failed${fd.kinks > 0 ? `, ${fd.kinks} at a ReLU kink (not judged)` : ''}`
  );
}

/** The network and batch of a report: "4-8-3 tanh, float64, batch 16". */
export function networkText(r: GradientReport): string {
  const acts = [...new Set(r.activations)];
  return `${r.sizes.join('-')}${acts.length > 0 ? ` ${acts.join('/')}` : ''}, ${r.dtype}, batch ${r.N}`;
}

/** The headline: pass or fail, against what, on which network. */
export function headlineText(r: GradientReport): string {
  if (!r.pass) return `${r.name}: gradients differ from ${r.reference}'s (${networkText(r)})`;
  return `${r.name}: gradients match ${r.reference}'s (${networkText(r)})${r.exact ? ', bit for bit' : `, max rel ${sci(r.maxRel)}, max ulps ${r.maxUlps}`}`;
}

/** Everything: headline, a table of every compared array, the first divergence and the finite differences. */
export function formatGradientReport(r: GradientReport): string {
  const t = new Table({ head: ['symbol', 'shape', 'bit-exact', 'max abs', 'max rel', 'max ulps', 'result'], ...COMPACT });
  for (const e of r.equality.entries) t.push(entryRow(e));
  return [headlineText(r), t.toString(), ...divergenceLines(r), fdLine(r)].join('\n');
}
