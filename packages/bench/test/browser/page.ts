// The page the browser test loads (bundled by esbuild for the browser): it starts the kernels the way a user's page
// does, runs the workload (workload.ts), and leaves what it found in window.tapegradResult for the test to read.
// Query: `wasm=URL` passes that folder to initKernels; `time=N` also times N training steps of each network.
import { getBackend, initKernels } from '@tapegrad/autograd';
import { getKernelThreads } from '@tapegrad/autograd/kernels';
import { gemmStats, workerChunks } from '@tapegrad/autograd/kernels/internal';
import { stepTimes, trainAndCompare } from './workload.ts';

const page = globalThis as unknown as { location: { search: string }; crossOriginIsolated: boolean; tapegradResult?: unknown };

async function main(): Promise<unknown> {
  const query = new URLSearchParams(page.location.search);
  const before = getBackend(); // nothing loaded yet: the reference JS kernels
  const wasm = query.get('wasm');
  const kernels = await initKernels(wasm === null ? {} : { wasm });
  const results = trainAndCompare();
  const steps = Number(query.get('time') ?? 0);
  const times = steps > 0 ? { spiral: stepTimes('spiral', steps, 5), mnist: stepTimes('mnist', steps, 3) } : null;
  return {
    isolated: page.crossOriginIsolated,
    before,
    kernels,
    threads: getKernelThreads(),
    workerChunks: workerChunks(),
    threaded: gemmStats.threaded,
    results,
    times,
  };
}

main().then(
  (result) => (page.tapegradResult = { ok: true, result }),
  (e: unknown) => (page.tapegradResult = { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }),
);
