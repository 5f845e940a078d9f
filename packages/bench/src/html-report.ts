import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import type { FashionResult } from './fashion.ts';
import type { WorkloadResult } from './run.ts';

// `--report DIR`: the run as an HTML page of plots (and the Markdown beside it). The plots are Vega-Lite specs
// rendered to SVG here in Node by Vega's headless view (no browser, no DOM), and inlined, so the page needs nothing
// else to open: loss per step of both engines in lockstep (and PyTorch's mean loss per epoch on fashion), time per
// training step by engine and phase against the peers, the distribution of the ulp distances between the engines'
// gradients, and on fashion the test accuracy against training time for every engine and peer.

type Row = Record<string, string | number>;

/** A Vega-Lite spec as SVG. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const label = (r: WorkloadResult) => `${r.name} ${r.dtype}`;

/** Loss before each lockstep step, one panel per workload and dtype, one line per engine. */
function lossSpec(results: readonly WorkloadResult[]): TopLevelSpec | null {
  const values: Row[] = results.flatMap((r) => Object.entries(r.losses).flatMap(([engine, ls]) => ls.map((loss, step) => ({ run: label(r), engine, step, loss }))));
  if (values.length === 0) return null;
  return {
    data: { values },
    facet: { field: 'run', type: 'nominal', title: null },
    columns: 4,
    spec: {
      width: 220,
      height: 150,
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
        color: { field: 'engine', type: 'nominal' },
        strokeDash: { field: 'engine', type: 'nominal' },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** Median ms per training step (and per phase) of the engines, and per step of every peer, per workload. */
function timeSpec(results: readonly WorkloadResult[]): TopLevelSpec | null {
  const values: Row[] = [];
  for (const r of results) {
    for (const f of r.speed?.figures ?? []) values.push({ run: label(r), who: f.engine, phase: f.phase, ms: f.medianMs });
    for (const p of r.peers) if (p.speed !== null) values.push({ run: label(r), who: p.name, phase: 'step', ms: p.speed.medianMs });
  }
  if (values.length === 0) return null;
  return {
    data: { values },
    facet: { row: { field: 'run', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 520,
      // points, not bars: a bar starts at 0, which a log scale cannot place (Vega then draws an empty plot)
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        y: { field: 'who', type: 'nominal', title: null },
        yOffset: { field: 'phase', type: 'nominal', sort: ['step', 'forward', 'backward'] },
        x: { field: 'ms', type: 'quantitative', title: 'median ms', scale: { type: 'log' } },
        color: { field: 'phase', type: 'nominal', sort: ['step', 'forward', 'backward'] },
        tooltip: [{ field: 'ms', type: 'quantitative', format: '.3f' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** How many gradient elements lie how many ulps apart between the engines, per workload. */
function ulpsSpec(results: readonly WorkloadResult[]): TopLevelSpec | null {
  const values: Row[] = results.flatMap((r) => r.gradientUlps.map((b, order) => ({ run: label(r), ulps: b.ulps, order, count: b.count })));
  if (values.length === 0) return null;
  const buckets = results[0].gradientUlps.map((b) => b.ulps);
  return {
    data: { values },
    facet: { field: 'run', type: 'nominal', title: null },
    columns: 4,
    spec: {
      width: 220,
      height: 130,
      mark: 'bar',
      encoding: {
        x: { field: 'ulps', type: 'ordinal', sort: buckets, title: 'ulps apart' },
        y: { field: 'count', type: 'quantitative', title: 'elements', scale: { type: 'symlog' } },
      },
    },
  };
}

/** Test accuracy after each epoch against the training seconds so far, per engine and peer. */
function accuracySpec(f: FashionResult): TopLevelSpec {
  const values: Row[] = f.runs.flatMap((r) => {
    let t = 0;
    return r.epochs.map((e) => {
      t += e.seconds;
      return { run: r.name, seconds: t, accuracy: e.accuracy, epoch: e.epoch };
    });
  });
  return {
    data: { values },
    width: 520,
    height: 260,
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'seconds', type: 'quantitative', title: 'training seconds' },
          y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
          color: { field: 'run', type: 'nominal' },
          tooltip: [{ field: 'run' }, { field: 'epoch' }, { field: 'accuracy', format: '.4f' }],
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { datum: 0.8833 } } },
    ],
  };
}

/** The engines' loss at every fashion step (in lockstep: one line hides the other), PyTorch's epoch means as points. */
function fashionLossSpec(f: FashionResult): TopLevelSpec {
  const steps = Math.max(1, ...f.runs.map((r) => r.stepLosses?.length ?? 0));
  const perEpoch = steps / Math.max(1, ...f.runs.map((r) => r.epochs.length));
  const lines: Row[] = f.runs.flatMap((r) => (r.stepLosses ?? []).map((loss, step) => ({ run: r.name, step: step + 1, loss })));
  const points: Row[] = f.runs.filter((r) => r.stepLosses === undefined).flatMap((r) => r.epochs.map((e) => ({ run: `${r.name} (epoch mean)`, step: e.epoch * perEpoch, loss: e.loss })));
  return {
    width: 520,
    height: 220,
    layer: [
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 0.8, opacity: 0.7 }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' } }, color: { field: 'run', type: 'nominal' } } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' }, color: { field: 'run', type: 'nominal' } } },
    ],
  };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Writes DIR/index.html (the plots) and DIR/report.md; returns the HTML file's path. */
export async function writeHtmlReport(dir: string, run: { results: readonly WorkloadResult[]; fashion: FashionResult | null; markdown: string; title: string }): Promise<string> {
  const sections: [string, TopLevelSpec | null][] = [
    ['Loss per step, both engines in lockstep', lossSpec(run.results)],
    ['Time per training step, by engine and phase, against the peers (log scale)', timeSpec(run.results)],
    ["Ulps between the engines' gradients at the first step (δ, ∂loss/∂W, ∂loss/∂b of every layer)", ulpsSpec(run.results)],
  ];
  if (run.fashion !== null) {
    sections.push(['fashion: test accuracy against training time (dashed: the Fashion-MNIST README\u2019s MLP, 0.8833)', accuracySpec(run.fashion)]);
    sections.push(["fashion: loss per step of the engines, PyTorch's mean loss per epoch", fashionLossSpec(run.fashion)]);
  }
  const figures: string[] = [];
  for (const [title, spec] of sections) {
    if (spec === null) continue;
    figures.push(`<figure><figcaption>${escape(title)}</figcaption>${await renderSvg(spec)}</figure>`);
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(run.title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1100px}figure{margin:2em 0}figcaption{font-weight:600;margin-bottom:.5em}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}</style>
</head><body>
<h1>${escape(run.title)}</h1>
${figures.join('\n')}
<h2>Report</h2>
<pre>${escape(run.markdown)}</pre>
</body></html>
`;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.html');
  writeFileSync(file, html);
  writeFileSync(join(dir, 'report.md'), run.markdown);
  return file;
}
