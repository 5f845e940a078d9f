import Table from 'cli-table3';
import type { FashionResult, FashionRun } from './fashion.ts';
import { COMPACT } from './report.ts';

// The fashion workload's results: a terminal table (under 120 columns) and markdown. One row per engine and peer:
// threads, seconds per epoch (median), final loss, test accuracy after epoch 1, 3 and the last, and the training
// seconds to the accuracy every run reached; then every epoch's accuracy and seconds side by side.

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const sec = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(1)} s`);

function medianSeconds(r: FashionRun): number {
  const s = r.epochs.map((e) => e.seconds).sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Epochs whose accuracy the summary shows: 1, 3 and the last (those the run has). */
function shownEpochs(result: FashionResult): number[] {
  const last = Math.max(...result.runs.map((r) => r.epochs.length));
  return [...new Set([1, 3, last])].filter((e) => e <= last).sort((a, b) => a - b);
}

function rows(result: FashionResult): { head: string[]; body: string[][]; perEpoch: { head: string[]; body: string[][] } } {
  const shown = shownEpochs(result);
  const target = result.timeToAccuracy.target;
  const head = ['run', 'threads', 's/epoch', 'last loss', ...shown.map((e) => `acc. ep. ${e}`), `s to ${pct(target)}`];
  const body = result.runs.map((r) => [
    r.name,
    String(r.threads),
    sec(medianSeconds(r)),
    r.epochs.length > 0 ? r.epochs[r.epochs.length - 1].loss.toFixed(4) : '—',
    ...shown.map((e) => (r.epochs[e - 1] ? pct(r.epochs[e - 1].accuracy) : '—')),
    sec(result.timeToAccuracy.seconds[r.name]),
  ]);
  const epochs = Math.max(...result.runs.map((r) => r.epochs.length));
  const perEpoch = {
    head: ['epoch', ...result.runs.map((r) => r.name), 'engines ulps'],
    body: Array.from({ length: epochs }, (_, e) => [
      String(e + 1),
      ...result.runs.map((r) => (r.epochs[e] ? `${pct(r.epochs[e].accuracy)} ${sec(r.epochs[e].seconds)}` : '—')),
      String(result.parameterUlps[e] ?? '—'),
    ]),
  };
  return { head, body, perEpoch };
}

/** The lines above the tables: the setup, the engines' agreement, PyTorch's check, the ratio to PyTorch. */
function notes(result: FashionResult): string[] {
  const worst = Math.max(0, ...result.parameterUlps);
  const lossWorst = Math.max(0, ...result.lossUlps);
  const out = [
    `fashion: ${result.sizes.join('-')} ReLU, float32, Adam η ${result.lr}, batches of ${result.batch}, ${result.train} training and ${result.test} test images, seed ${result.seed}`,
    `kernels: ${result.backend}; data: ${result.dir}; anchor: the Fashion-MNIST README's MLP 256-128-100, 0.8833`,
    `engines in lockstep: parameters ${worst === 0 ? 'bit-identical after every epoch' : `up to ${worst} ulps apart`}, step losses ` +
      `${lossWorst === 0 ? 'identical' : `up to ${lossWorst} ulps apart`}`,
  ];
  const t = result.torch;
  if (t !== null) {
    out.push(t.detail);
    if (t.check !== null) out.push(`PyTorch's gradients of the first batch ${t.check.pass ? 'agree' : 'DIFFER'} with the manual engine's (max rel ${t.check.maxRel.toExponential(1)})`);
  }
  // Both ratios: the time to an accuracy follows each run's trajectory, which rounding decides (every kernel set has
  // its own, the same in every run), and near the plateau one epoch's noise decides who first passes the target; the
  // time an epoch takes is the engine's speed alone.
  const s = result.timeToAccuracy.seconds;
  const autograd = result.runs.find((r) => r.name === 'autograd');
  const torchOne = result.runs.find((r) => r.name === 'PyTorch ×1');
  if (autograd !== undefined && torchOne !== undefined) {
    const a = s.autograd;
    const p = s[torchOne.name];
    const toTarget = a != null && p != null ? `time to ${pct(result.timeToAccuracy.target)} ${(a / p).toFixed(2)}, ` : '';
    out.push(`autograd / PyTorch on one thread: ${toTarget}median time an epoch ${(medianSeconds(autograd) / medianSeconds(torchOne)).toFixed(2)}`);
  }
  const p = result.runs[0]?.phases;
  if (p !== undefined) out.push(`autograd step phases, median ms: ${Object.entries(p).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
  return out;
}

export function fashionTable(result: FashionResult): string {
  const { head, body, perEpoch } = rows(result);
  const t = new Table({ head, ...COMPACT });
  for (const r of body) t.push(r);
  const e = new Table({ head: perEpoch.head, ...COMPACT });
  for (const r of perEpoch.body) e.push(r);
  return `${notes(result).join('\n')}\n${t.toString()}\n${e.toString()}`;
}

const mdRow = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

export function fashionMarkdown(result: FashionResult): string {
  const { head, body, perEpoch } = rows(result);
  const table = (h: string[], b: string[][]) => [mdRow(h), mdRow(h.map(() => '---')), ...b.map(mdRow)].join('\n');
  return ['## fashion', '', ...notes(result).map((n) => `- ${n}`), '', table(head, body), '', table(perEpoch.head, perEpoch.body)].join('\n');
}
