import * as Plot from '@observablehq/plot';
import type { Boundary, StepRecord } from './trainer.ts';

// The training section's charts, with Observable Plot: the two engines' loss curves, the decision regions of the
// network as it learns (a raster) under the spiral's points, and the gradient agreement of every step.

const ENGINES = ['manual', 'autograd'];
const ENGINE_COLORS = ['#4269d0', '#ff725c'];
const CLASS_COLORS = ['#efb118', '#3ca951', '#a463f2'];
/** At most this many points per curve: longer runs are thinned evenly (the last step always kept). */
const MAX_POINTS = 2000;

function thin<T>(records: readonly T[]): T[] {
  if (records.length <= MAX_POINTS) return records.slice();
  const stride = Math.ceil(records.length / MAX_POINTS);
  const out = records.filter((_, i) => i % stride === 0);
  out.push(records[records.length - 1]);
  return out;
}

export function lossChart(records: readonly StepRecord[], width: number): Element {
  const kept = thin(records);
  const data = kept.flatMap((r) => [
    { step: r.step, loss: r.lossManual, engine: 'manual' },
    { step: r.step, loss: r.lossAutograd, engine: 'autograd' },
  ]);
  return Plot.plot({
    width,
    height: 260,
    marginLeft: 50,
    x: { label: 'step', domain: [0, Math.max(10, records.length === 0 ? 0 : records[records.length - 1].step)] },
    y: { label: 'loss (mean cross-entropy)', type: 'log', grid: true, tickFormat: '~g' },
    color: { domain: ENGINES, range: ENGINE_COLORS, legend: true },
    marks: [
      // manual wide and light underneath, autograd thin and dashed on top: where they coincide both show
      Plot.line(data.filter((d) => d.engine === 'manual'), { x: 'step', y: 'loss', stroke: 'engine', strokeWidth: 4, strokeOpacity: 0.45 }),
      Plot.line(data.filter((d) => d.engine === 'autograd'), { x: 'step', y: 'loss', stroke: 'engine', strokeWidth: 1.5, strokeDasharray: '5,3' }),
    ],
  });
}

export function agreementChart(records: readonly StepRecord[], width: number): Element {
  const kept = thin(records);
  const failed = records.filter((r) => !r.pass);
  const top = Math.max(1, ...kept.map((r) => r.maxUlps));
  return Plot.plot({
    width,
    height: 150,
    marginLeft: 50,
    x: { label: 'step', domain: [0, Math.max(10, records.length === 0 ? 0 : records[records.length - 1].step)] },
    y: { label: 'max ulps, autograd vs manual', domain: [0, top], grid: true },
    marks: [
      Plot.ruleY([0]),
      Plot.areaY(kept, { x: 'step', y: 'maxUlps', fill: '#4269d0', fillOpacity: 0.2, curve: 'step' }),
      Plot.lineY(kept, { x: 'step', y: 'maxUlps', stroke: '#4269d0', curve: 'step' }),
      Plot.dot(failed, { x: 'step', y: 'maxUlps', fill: 'red', r: 3, title: (r: StepRecord) => `step ${r.step}: over the tolerance (max rel ${r.maxRel.toExponential(2)})` }),
    ],
  });
}

export function boundaryChart(b: Boundary, points: { x: Float64Array; labels: Int32Array }, size: number): Element {
  const { size: g, extent, classes, confidence } = b;
  const cells = Array.from({ length: g * g }, (_, i) => i);
  const dots = Array.from(points.labels, (label, i) => ({ x: points.x[2 * i], y: points.x[2 * i + 1], label }));
  return Plot.plot({
    width: size,
    height: size,
    marginLeft: 40,
    x: { domain: [-extent, extent], label: 'x₁' },
    y: { domain: [-extent, extent], label: 'x₂' },
    color: { type: 'ordinal', domain: [0, 1, 2], range: CLASS_COLORS, legend: true, tickFormat: (k: number) => `class ${k}` },
    marks: [
      // the class with the highest probability, paler where the network is less sure
      Plot.raster(cells, {
        width: g,
        height: g,
        x1: -extent,
        x2: extent,
        y1: extent,
        y2: -extent,
        fill: (i: number) => classes[i],
        fillOpacity: (i: number) => 0.15 + 0.45 * Math.max(0, (confidence[i] - 1 / 3) * 1.5),
        imageRendering: 'pixelated',
      }),
      Plot.dot(dots, { x: 'x', y: 'y', fill: 'label', r: 2, stroke: 'white', strokeWidth: 0.5 }),
      Plot.frame(),
    ],
  });
}
