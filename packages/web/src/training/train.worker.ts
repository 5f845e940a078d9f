import { startKernels } from '../kernels.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { LockstepTrainer } from './trainer.ts';

// The training thread: the lockstep trainer, run in slices of about 40 ms so that pause, reset and a new learning
// rate are read between them, reporting each slice's steps to the page. A Web Worker may block in Atomics.wait, so
// the kernels' own worker threads (when the page is cross-origin isolated) work here as in Node.

const SLICE_MS = 40;
/** How often the decision regions, the accuracy and the drift are computed (a forward pass over a grid). */
const BOUNDARY_MS = 400;
const GRID = 64;
const EXTENT = 1.15;

const scope = self as unknown as { postMessage(message: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const kernels = startKernels();
let trainer: LockstepTrainer | null = null;
let running = false;
let stopAt = 0;
let lastBoundary = -Infinity;

function slice(): void {
  if (!running || trainer === null) return;
  const t = trainer;
  const records = [];
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < SLICE_MS && (stopAt === 0 || t.steps < stopAt)) records.push(t.step());
  } catch (e) {
    running = false;
    scope.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  if (stopAt > 0 && t.steps >= stopAt) running = false;
  report(records, !running || performance.now() - lastBoundary > BOUNDARY_MS);
  if (running) setTimeout(slice, 0);
}

function report(records: ReturnType<LockstepTrainer['step']>[], withBoundary: boolean): void {
  const t = trainer!;
  if (!withBoundary) {
    scope.postMessage({ type: 'progress', records, total: t.steps, running });
    return;
  }
  lastBoundary = performance.now();
  const boundary = t.boundary(GRID, EXTENT);
  scope.postMessage({ type: 'progress', records, total: t.steps, running, boundary, accuracy: t.accuracy(), drift: t.drift() }, [boundary.classes.buffer, boundary.confidence.buffer]);
}

scope.onmessage = async (event) => {
  await kernels;
  const m = event.data;
  try {
    if (m.type === 'reset') {
      running = false;
      trainer = new LockstepTrainer(m.config);
      report([], true);
    } else if (m.type === 'run') {
      stopAt = m.stopAt;
      if (!running && trainer !== null) {
        running = true;
        slice();
      }
    } else if (m.type === 'pause') {
      running = false;
      if (trainer !== null) report([], true);
    } else if (m.type === 'lr') {
      trainer?.setLearningRate(m.lr);
    }
  } catch (e) {
    running = false;
    scope.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};

void kernels.then((info) => scope.postMessage({ type: 'ready', kernels: info }));
