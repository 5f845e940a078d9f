import Table from 'cli-table3';
import { shapeStr } from '@tapegrad/autograd/kernels';
import type { SymbolDiff } from './compare.ts';
import { describeDivergence, symbolText } from './compare.ts';
import type { WorkloadResult } from './run.ts';
import { ms, sci } from './format.ts';
import { wasmDetail } from './kernel-backend.ts';
import type { ProbeFigures } from './machine-probe.ts';
import { probeCell } from './machine-probe.ts';
import { sizesLabel } from './workloads.ts';

export { ms, sci } from './format.ts';

// Results as a terminal table, as markdown and as JSON. The summary has one row per workload and dtype; the
// details show the equality report of every parameter and symbol, the finite differences, the lockstep losses and
// every benchmark figure.

function equalityCell(r: WorkloadResult): string {
  const e = r.equality;
  if (e.pass) return e.exact ? 'PASS (bit-exact)' : 'PASS';
  const d = e.firstDivergence;
  if (d !== null) return `FAIL at ${symbolText(d.symbol, d.layer)}${d.step ? ` (step ${d.step})` : ''}`;
  return `FAIL (${e.failures.join(', ')})`;
}

function fdCell(r: WorkloadResult): string {
  const fd = r.equality.finiteDifferences;
  const ok = fd.checked - fd.kinks - fd.failed;
  return `${ok}/${fd.checked} ok${fd.kinks ? `, ${fd.kinks} kink` : ''}${fd.failed ? `, ${fd.failed} FAIL` : ''}`;
}

const SUMMARY_HEAD = [
  'workload',
  'network',
  'dtype',
  'equality',
  'max rel',
  'ulps',
  'finite diff.',
  'lockstep',
  'autograd ms',
  'manual ms',
  'ratio',
  '± rme',
  'machine GFLOP/s',
  'peak RSS MB',
];

/** cli-table3 without the rules between body rows. */
export const COMPACT = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } };

function summaryRow(r: WorkloadResult): string[] {
  const s = r.speed;
  const drift = r.equality.drift.exact ? 'no drift' : `drift ${sci(r.equality.drift.maxRel)}`;
  return [
    r.name,
    `${sizesLabel(r.sizes)} ${r.activation} ×${r.batch}`,
    r.dtype,
    equalityCell(r),
    sci(r.equality.maxRel),
    String(r.equality.maxUlps),
    fdCell(r),
    `${r.steps} ${r.steps === 1 ? 'step' : 'steps'}, ${drift}`,
    s ? ms(s.autogradMs) : '—',
    s ? ms(s.manualMs) : '—',
    s ? `${s.ratio.toFixed(2)}×` : '—',
    s ? `±${s.rme.toFixed(0)}%` : '—',
    probeCell(s?.machine ?? null),
    r.memory.peakRssMB.toFixed(0),
  ];
}

/** Names of the peers in these results, in order of first appearance. */
function peerNames(results: readonly WorkloadResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.peers.map((p) => p.name)))];
}

function peerCell(r: WorkloadResult, name: string): string {
  const p = r.peers.find((x) => x.name === name);
  if (p === undefined) return '—';
  if (p.speed) return `${ms(p.speed.medianMs)}${Number.isFinite(p.speed.rme) ? ` ±${p.speed.rme.toFixed(0)}%` : ''}`;
  return p.note ?? '—';
}

function summaryHead(results: readonly WorkloadResult[]): string[] {
  // the two engines' columns are named after the engines compared (autograd and manual, or a user's engine)
  const [a, b] = results[0]?.engines ?? ['autograd', 'manual'];
  const head = SUMMARY_HEAD.map((h) => (h === 'autograd ms' ? `${a} ms` : h === 'manual ms' ? `${b} ms` : h));
  return [...head, ...peerNames(results).map((n) => `${n} ms`)];
}

function summaryCells(r: WorkloadResult, peers: readonly string[]): string[] {
  return [...summaryRow(r), ...peers.map((n) => peerCell(r, n))];
}

/**
 * One row per workload and dtype: network (sizes, activation, ×batch), equality (bit-exact or within tolerance,
 * else where the engines first diverge), the largest relative error and ulp distance over all lockstep steps,
 * finite-difference samples, lockstep steps and parameter drift, the median ms per training step, and the peak
 * resident set size sampled while the workload ran; with peers, each peer's median ms per training step (or why
 * there is none). The kernel backend is not a column: see summaryCaption. All of it in one row: the Markdown's table.
 */
function wideTable(results: readonly WorkloadResult[]): string[][] {
  const peers = peerNames(results);
  return [summaryHead(results), ...results.map((r) => summaryCells(r, peers))];
}

/** The columns of the wide table named `names`, as a terminal table. */
function pick(wide: string[][], names: readonly string[]): string {
  const at = names.map((n) => wide[0].indexOf(n)).filter((i) => i >= 0);
  const t = new Table({ head: at.map((i) => wide[0][i]), ...COMPACT });
  for (const row of wide.slice(1)) t.push(at.map((i) => row[i]));
  return t.toString();
}

/**
 * The summary for a terminal of 120 columns: the wide table's columns in three tables: the checks (network,
 * equality, ulps, finite differences, lockstep), tapegrad's speed (both engines, ratio, margin, machine, memory), and,
 * with peers, each peer's median ms per training step.
 */
export function summaryTable(results: readonly WorkloadResult[]): string {
  const wide = wideTable(results);
  const [a, b] = results[0]?.engines ?? ['autograd', 'manual'];
  const checks = pick(wide, ['workload', 'network', 'dtype', 'equality', 'ulps', 'finite diff.', 'lockstep']);
  const speed = pick(wide, ['workload', 'dtype', `${a} ms`, `${b} ms`, 'ratio', '± rme', 'machine GFLOP/s', 'peak RSS MB']);
  const peers = peerNames(results);
  return [checks, speed, ...(peers.length > 0 ? [pick(wide, ['workload', 'dtype', ...peers.map((n) => `${n} ms`)])] : [])].join('\n');
}

/** The kernel backends of these results, in order of first appearance. */
function backendsOf(results: readonly WorkloadResult[]): string[] {
  return [...new Set(results.map((r) => r.backend))];
}

/** The line that goes with the summary table: which kernel backend the matrix products ran on. */
export function summaryCaption(results: readonly WorkloadResult[], threads?: number, fusedMultiplyAdd = false): string {
  const b = backendsOf(results);
  const t = threads === undefined || !b.includes('wasm') ? '' : ` ${wasmDetail(threads, fusedMultiplyAdd)}`;
  return (
    `Kernel ${b.length === 1 ? 'backend' : 'backends'}: ${b.join(', ') || 'none'}${t}; ` +
    `machine GFLOP/s: the machine's speed on one fixed product while the two engines were timed, median (range); ` +
    `peak RSS: the whole process's resident set while each workload ran, Node's own baseline included`
  );
}

function machineText(p: ProbeFigures): string {
  return (
    `${p.product}: ${p.medianGflops.toFixed(1)} GFLOP/s median, ${p.minGflops.toFixed(1)}–${p.maxGflops.toFixed(1)} ` +
    `over ${p.samples} samples, one before each benchmark`
  );
}

function memoryText(r: WorkloadResult): string {
  const m = r.memory;
  return (
    `peak RSS ${m.peakRssMB.toFixed(0)} MB while the workload ran (${m.startRssMB.toFixed(0)} MB at its start, ${m.samples} samples); ` +
    `process maxRSS so far ${m.processMaxRssMB.toFixed(0)} MB`
  );
}

/** One compared array as a table row: symbol, shape, bit-exact, max abs, max rel, max ulps, result. */
export function entryRow(e: SymbolDiff): string[] {
  return [
    symbolText(e.symbol, e.layer),
    e.symbol === 'loss' ? 'scalar' : shapeStr(e.shape),
    e.exact ? 'yes' : 'no',
    sci(e.maxAbs),
    sci(e.maxRel),
    String(e.maxUlps),
    e.pass ? 'pass' : `FAIL${e.problem ? ` (${e.problem})` : ` (${e.mismatches}/${e.count})`}`,
  ];
}

/** Everything about one workload, for the terminal. */
export function detailText(r: WorkloadResult): string {
  const lines: string[] = [];
  const e = r.equality;
  lines.push(
    `${r.name} ${r.dtype}: ${sizesLabel(r.sizes)} ${r.activation}, batch ${r.batch}, ${r.data} data, ${r.engines[0]} vs ${r.engines[1]}, ` +
      `${r.backend} kernels`,
  );
  lines.push(
    `  tolerance: relative error ${sci(e.tolerance.rtol, 0)}, measured against max(|a|, |b|, ${e.tolerance.floor} × scale), ` +
      `scale = the larger of the array's largest value and the size of the terms it sums`,
  );
  const t = new Table({ head: ['step 0', 'shape', 'bit-exact', 'max abs', 'max rel', 'max ulps', 'result'], ...COMPACT });
  for (const x of e.report.entries) t.push(entryRow(x));
  lines.push(t.toString());
  if (e.firstDivergence) lines.push(`  first divergence: ${describeDivergence(e.firstDivergence)}`);
  const fd = e.finiteDifferences;
  lines.push(
    `  finite differences (float64, h = ${fd.h}, ${fd.rows} rows): ${fd.checked} parameters, max rel ${sci(fd.maxRel)} (limit ${sci(fd.rtol, 0)}), ` +
      `${fd.failed} failed, ${fd.kinks} skipped at a ReLU kink, ${fd.nearKinkUnits} units within 1e-6 of a kink`,
  );
  for (const s of fd.samples.filter((x) => x.kinkUnits > 0 || x.engines.some((g) => g.status === 'fail'))) {
    const at = `${s.param}^${s.layer}[${s.at.join(', ')}]`;
    const eng = s.engines.map((g) => `${g.name} ${g.grad} (${g.status})`).join(', ');
    lines.push(`    ${at}: difference quotient ${s.fd}, ${eng}${s.kinkUnits ? `, ${s.kinkUnits} units switched side` : ''}`);
  }
  const [la, lb] = r.engines.map((n) => r.losses[n]);
  const loss = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(6)); // an engine that does not give its loss: NaN
  lines.push(
    `  lockstep: ${r.steps} SGD steps at lr ${r.lr}; loss ${r.engines[0]} ${loss(la[0])} → ${loss(la[la.length - 1])}, ` +
      `${r.engines[1]} ${loss(lb[0])} → ${loss(lb[lb.length - 1])}; all steps: max rel ${sci(e.steps.maxRel)}, ` +
      `max ulps ${e.steps.maxUlps}; parameters after: ${e.drift.exact ? 'identical' : `max rel ${sci(e.drift.maxRel)}, max ulps ${e.drift.maxUlps}`}`,
  );
  if (r.speed) {
    const s = new Table({ head: ['engine', 'phase', 'ops/sec', '± rme', 'median ms', 'samples'], ...COMPACT });
    for (const f of r.speed.figures) s.push([f.engine, f.phase, f.hz.toFixed(f.hz >= 100 ? 0 : 2), `±${f.rme.toFixed(1)}%`, ms(f.medianMs), String(f.samples)]);
    lines.push(s.toString());
    for (const note of r.speed.plan.skipped) lines.push(`  ${note}`);
    if (r.speed.machine) lines.push(`  machine: ${machineText(r.speed.machine)}`);
  } else if (r.speedNote) lines.push(`  ${r.speedNote}`);
  lines.push(`  memory: ${memoryText(r)}`);
  for (const p of r.peers) {
    const eq = p.equality ? `gradients ${p.equality.pass ? 'agree' : 'DIFFER'} with ${r.engines[1]} (max rel ${sci(p.equality.maxRel)})` : '';
    const margin = p.speed && Number.isFinite(p.speed.rme) ? ` ±${p.speed.rme.toFixed(1)}%` : ' (median of its own timing)';
    const sp = p.speed ? `, step ${ms(p.speed.medianMs)} ms${margin} (${p.speed.samples} samples)` : '';
    lines.push(`  peer ${p.name} (${p.detail}): ${eq}${sp}${p.note ? `${eq ? '; ' : ''}${p.note}` : ''}`);
  }
  return lines.join('\n');
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** The summary and the details as markdown. */
export function markdownReport(
  results: readonly WorkloadResult[],
  meta: { command: string; date: string; machine: string; kernelThreads?: number; fusedMultiplyAdd?: boolean },
): string {
  const out: string[] = [];
  const [a, b] = results[0]?.engines ?? ['autograd', 'manual'];
  out.push(`# tapegrad bench: ${a} vs ${b} backprop`, '');
  out.push(`\`${meta.command}\` on ${meta.machine}, ${meta.date}.`, '');
  out.push(`${summaryCaption(results, meta.kernelThreads, meta.fusedMultiplyAdd)}.`, '');
  const peers = peerNames(results);
  const head = summaryHead(results);
  out.push(mdRow(head), mdRow(head.map(() => '---')));
  for (const r of results) out.push(mdRow(summaryCells(r, peers)));
  out.push('');
  for (const r of results) {
    out.push(`## ${r.name} (${r.dtype})`, '');
    out.push(`${sizesLabel(r.sizes)} ${r.activation}, batch ${r.batch}, ${r.data} data, ${r.steps} lockstep steps at lr ${r.lr}, ${r.backend} kernels.`, '');
    const head = ['step 0', 'shape', 'bit-exact', 'max abs', 'max rel', 'max ulps', 'result'];
    out.push(mdRow(head), mdRow(head.map(() => '---')));
    for (const e of r.equality.report.entries) out.push(mdRow(entryRow(e)));
    out.push('');
    if (r.equality.firstDivergence) out.push(`First divergence: ${describeDivergence(r.equality.firstDivergence)}`, '');
    const fd = r.equality.finiteDifferences;
    out.push(`Finite differences: ${fd.checked} parameters, max rel ${sci(fd.maxRel)}, ${fd.failed} failed, ${fd.kinks} at a ReLU kink.`, '');
    if (r.speed) {
      const sh = ['engine', 'phase', 'ops/sec', '± rme', 'median ms', 'samples'];
      out.push(mdRow(sh), mdRow(sh.map(() => '---')));
      for (const f of r.speed.figures) out.push(mdRow([f.engine, f.phase, f.hz.toFixed(2), `±${f.rme.toFixed(1)}%`, ms(f.medianMs), String(f.samples)]));
      out.push('');
      if (r.speed.machine) out.push(`Machine: ${machineText(r.speed.machine)}.`, '');
    } else if (r.speedNote) out.push(r.speedNote, '');
    out.push(`Memory: ${memoryText(r)}.`, '');
  }
  return out.join('\n');
}

/** Numbers JSON cannot hold (∞, NaN) become null. */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The machine-readable results: `{ backend, workloads: [{ name, sizes, activation, batch, dtype, backend, equality,
 * speed, memory }] }`; the top-level `backend` is the one every workload ran on (a list if they differ).
 */
export function jsonReport(results: readonly WorkloadResult[], meta: Record<string, unknown> = {}): unknown {
  const backends = backendsOf(results);
  return {
    ...meta,
    backend: backends.length === 1 ? backends[0] : backends,
    workloads: results.map((r) => {
      const e = r.equality;
      const fd = e.finiteDifferences;
      return {
        name: r.name,
        sizes: r.sizes,
        activation: r.activation,
        batch: r.batch,
        dtype: r.dtype,
        backend: r.backend,
        data: r.data,
        engines: r.engines,
        equality: {
          pass: e.pass,
          exact: e.exact,
          maxAbs: finite(e.maxAbs),
          maxRel: finite(e.maxRel),
          maxUlps: finite(e.maxUlps),
          firstDivergence: e.firstDivergence,
          failures: e.failures,
          tolerance: e.tolerance,
          symbols: e.report.entries.map((x) => ({
            layer: x.layer,
            symbol: x.symbol,
            shape: x.shape,
            exact: x.exact,
            maxAbs: finite(x.maxAbs),
            maxRel: finite(x.maxRel),
            maxUlps: finite(x.maxUlps),
            pass: x.pass,
          })),
          finiteDifferences: { pass: fd.pass, checked: fd.checked, failed: fd.failed, kinks: fd.kinks, maxRel: fd.maxRel, rows: fd.rows, nearKinkUnits: fd.nearKinkUnits },
          lockstep: {
            steps: r.steps,
            lr: r.lr,
            losses: r.losses,
            drift: { pass: e.drift.pass, exact: e.drift.exact, maxAbs: finite(e.drift.maxAbs), maxRel: finite(e.drift.maxRel), maxUlps: finite(e.drift.maxUlps) },
          },
        },
        speed: r.speed && {
          autogradMs: r.speed.autogradMs,
          manualMs: r.speed.manualMs,
          ratio: r.speed.ratio,
          rme: r.speed.rme,
          figures: r.speed.figures,
          skipped: r.speed.plan.skipped,
          machine: r.speed.machine,
        },
        ...(r.speedNote ? { speedNote: r.speedNote } : {}),
        ...(r.peers.length > 0
          ? {
              peers: r.peers.map((p) => ({
                name: p.name,
                detail: p.detail,
                equality: p.equality && { ...p.equality, maxRel: finite(p.equality.maxRel) },
                speed: p.speed,
                ...(p.note ? { note: p.note } : {}),
              })),
            }
          : {}),
        memory: r.memory,
        seconds: r.seconds,
      };
    }),
  };
}
