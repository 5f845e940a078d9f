import type { DType } from '@tapegrad/autograd';
import type { ActivationName } from '@tapegrad/autograd/kernels';
import { ACTIVATION_NAMES } from '@tapegrad/autograd/kernels';
import { spiralDataset } from '@tapegrad/bench/core';
import { formatCount, h } from '../format.ts';
import { state } from '../hook.ts';
import { kernelsText } from '../kernels-text.ts';
import { agreementChart, boundaryChart, lossChart } from './charts.ts';
import type { FromWorker, Progress, ToWorker } from './protocol.ts';
import type { Boundary, StepRecord, TrainConfig } from './trainer.ts';
import { checkConfig, SPIRAL } from './trainer.ts';

// The training section: the controls, the worker that trains both engines in lockstep, and what it reports drawn
// as it arrives (charts at most a few times a second, so the page stays responsive however fast the steps are).

/** Steps per second are measured over the last this many steps. */
const RATE_WINDOW = 200;
const CHART_MS = 200;

/** The median: the step time that a garbage collection or a busy neighbour on the machine does not move. */
function median(values: number[]): number {
  const v = values.sort((a, b) => a - b);
  return v.length % 2 === 1 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function field(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLLabelElement {
  return h('label', { className: 'field' }, h('span', { textContent: label }), input);
}

export function mountTraining(root: HTMLElement): void {
  const sizes = h('input', { id: 'sizes', value: SPIRAL.sizes.join('-'), size: 12 });
  const activation = h('select', { id: 'activation' }, ...ACTIVATION_NAMES.map((a) => h('option', { value: a, textContent: a })));
  activation.value = SPIRAL.activation;
  const dtype = h('select', { id: 'dtype' }, h('option', { value: 'float32', textContent: 'float32' }), h('option', { value: 'float64', textContent: 'float64' }));
  dtype.value = SPIRAL.dtype;
  const lr = h('input', { id: 'lr', type: 'number', step: '0.05', min: '0', value: String(SPIRAL.lr) });
  const batch = h('input', { id: 'batch', type: 'number', step: '1', min: '1', value: String(SPIRAL.batch) });
  const seed = h('input', { id: 'seed', type: 'number', step: '1', min: '0', value: String(SPIRAL.seed) });
  const stopAt = h('input', { id: 'stop-at', type: 'number', step: '100', min: '0', value: '0' });
  const start = h('button', { type: 'button', id: 'start', textContent: 'Start' });
  const pause = h('button', { type: 'button', id: 'pause', textContent: 'Pause', disabled: true });
  const reset = h('button', { type: 'button', id: 'reset', textContent: 'Reset' });
  const error = h('p', { className: 'error', hidden: true });
  const status = h('div', { className: 'status', id: 'training-status' });
  const agreement = h('p', { className: 'agreement', id: 'agreement' });
  const loss = h('figure', { className: 'chart', id: 'loss-chart' });
  const boundary = h('figure', { className: 'chart', id: 'boundary-chart' });
  const ulps = h('figure', { className: 'chart', id: 'agreement-chart' });

  root.append(
    h(
      'div',
      { className: 'controls' },
      field('sizes', sizes),
      field('hidden activation', activation),
      field('dtype', dtype),
      field('learning rate', lr),
      field('batch size', batch),
      field('seed', seed),
      field('stop after (steps, 0: never)', stopAt),
      h('div', { className: 'buttons' }, start, pause, reset),
    ),
    h('p', { className: 'hint', textContent: 'The learning rate applies from the next step; sizes, activation, dtype, batch size and seed start a fresh pair of networks (Reset). Steps per second: 1000 / the median time of one engine\'s step over the last 200 steps.' }),
    error,
    status,
    agreement,
    h('div', { className: 'charts' }, h('div', {}, h('h3', { textContent: 'Loss of each engine on its own trajectory (one curve where they agree)' }), loss), h('div', {}, h('h3', { textContent: 'Decision regions (manual engine) and the spiral' }), boundary)),
    h('h3', { textContent: 'Gradient agreement at every step: δˡ, ∂loss/∂Wˡ, ∂loss/∂bˡ of both engines at the same parameters' }),
    ulps,
  );

  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker) => worker.postMessage(m);
  const training = state.training;
  let points = spiralDataset({ perClass: SPIRAL.perClass, seed: SPIRAL.seed });
  let lastBoundary: Boundary | null = null;
  let dirty = false;
  /** A redraw of the charts is owed regardless of CHART_MS (the run ended, or new decision regions came). */
  let force = false;
  let drawnAt = -Infinity;

  function config(): TrainConfig {
    const c: TrainConfig = {
      sizes: sizes.value.split(/[-,x× ]+/).filter((s) => s !== '').map(Number),
      activation: activation.value as ActivationName,
      dtype: dtype.value as DType,
      lr: Number(lr.value),
      batch: Number(batch.value),
      seed: Number(seed.value),
      perClass: SPIRAL.perClass,
    };
    return checkConfig(c);
  }

  function showError(message: string | null): void {
    error.textContent = message ?? '';
    error.hidden = message === null;
    training.error = message;
  }

  function doReset(): void {
    let c: TrainConfig;
    try {
      c = config();
    } catch (e) {
      return showError((e as Error).message);
    }
    showError(null);
    training.records = [];
    training.total = 0;
    training.accuracy = null;
    training.drift = null;
    lastBoundary = null;
    points = spiralDataset({ perClass: c.perClass, seed: c.seed });
    send({ type: 'reset', config: c });
    setRunning(false);
    draw(true);
  }

  function setRunning(on: boolean): void {
    training.running = on;
    start.disabled = on;
    pause.disabled = !on;
  }

  start.addEventListener('click', () => {
    const n = Number(stopAt.value);
    send({ type: 'run', stopAt: Number.isInteger(n) && n > 0 ? n : 0 });
    setRunning(true);
  });
  pause.addEventListener('click', () => send({ type: 'pause' }));
  reset.addEventListener('click', doReset);
  lr.addEventListener('change', () => {
    const v = Number(lr.value);
    if (v > 0 && Number.isFinite(v)) send({ type: 'lr', lr: v });
    else showError(`learning rate ${lr.value}: expected a positive number`);
  });

  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const m = event.data;
    if (m.type === 'ready') {
      state.kernels.worker = m.kernels;
      draw(true);
    } else if (m.type === 'error') {
      showError(m.message);
      setRunning(false);
    } else {
      receive(m);
    }
  };
  worker.onerror = (e) => showError(`the training worker failed: ${e.message}`);

  function receive(m: Progress): void {
    for (const r of m.records) training.records.push(r);
    training.total = m.total;
    if (m.boundary !== undefined) lastBoundary = m.boundary;
    if (m.accuracy !== undefined) training.accuracy = m.accuracy;
    if (m.drift !== undefined) training.drift = m.drift;
    if (!m.running) setRunning(false);
    draw(!m.running || m.boundary !== undefined);
  }

  /** Redraws on the next frame, the charts at most every CHART_MS unless `now`. */
  function draw(now: boolean): void {
    force ||= now;
    if (dirty) return;
    dirty = true;
    requestAnimationFrame(() => {
      dirty = false;
      const t = performance.now();
      renderStatus();
      if (!force && t - drawnAt < CHART_MS) return;
      force = false;
      drawnAt = t;
      const width = Math.max(320, Math.min(640, loss.parentElement!.clientWidth - 8));
      loss.replaceChildren(lossChart(training.records, width));
      ulps.replaceChildren(agreementChart(training.records, Math.max(320, ulps.clientWidth - 8)));
      if (lastBoundary !== null) boundary.replaceChildren(boundaryChart(lastBoundary, points, Math.min(420, Math.max(300, boundary.parentElement!.clientWidth - 8))));
    });
  }

  function renderStatus(): void {
    const recs = training.records;
    const recent = recs.slice(-RATE_WINDOW);
    const rate = (key: 'msManual' | 'msAutograd') => 1000 / median(recent.map((r) => r[key]));
    const last: StepRecord | undefined = recs[recs.length - 1];
    const w = state.kernels.worker;
    status.replaceChildren(
      h('span', { id: 'step-count', textContent: `step ${formatCount(training.total)}` }),
      h('span', { textContent: `loss ${last === undefined ? '–' : last.lossManual.toFixed(4)}` }),
      h('span', { textContent: `accuracy ${training.accuracy === null ? '–' : (100 * training.accuracy).toFixed(1) + ' %'}` }),
      h('span', { id: 'rate-manual', textContent: `manual ${recent.length === 0 ? '–' : formatCount(rate('msManual'))} steps/s` }),
      h('span', { id: 'rate-autograd', textContent: `autograd ${recent.length === 0 ? '–' : formatCount(rate('msAutograd'))} steps/s` }),
      h('span', { id: 'worker-kernels', textContent: w === null ? 'kernels: starting…' : `kernels: ${kernelsText(w)}` }),
    );
    if (recs.length === 0) {
      agreement.textContent = 'Gradients are compared at every step once training starts.';
      agreement.className = 'agreement';
      return;
    }
    const failed = recs.find((r) => !r.pass);
    const worst = recs.reduce((m, r) => Math.max(m, r.maxUlps), 0);
    const drift = training.drift === null ? '' : training.drift.exact ? ' The two trajectories hold identical parameters.' : ` The trajectories' parameters are ${training.drift.maxUlps} ulps apart at most.`;
    if (failed !== undefined) {
      agreement.textContent = `The engines' gradients differ beyond the bench's tolerance from step ${failed.step} (max rel ${failed.maxRel.toExponential(2)}).${drift}`;
      agreement.className = 'agreement fail';
    } else if (recs.every((r) => r.exact)) {
      agreement.textContent = `Bit-exact: both engines' gradients are identical at every one of ${formatCount(recs.length)} steps.${drift}`;
      agreement.className = 'agreement exact';
    } else {
      agreement.textContent = `Within the bench's tolerance at every one of ${formatCount(recs.length)} steps, at most ${worst} ulps apart.${drift}`;
      agreement.className = 'agreement close';
    }
  }

  doReset();
}
