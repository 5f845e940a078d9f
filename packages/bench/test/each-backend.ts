import type { KernelBackend } from '@tapegrad/autograd/kernels';
import { backendUnavailableReason, getBackend, KERNEL_BACKENDS, setBackend } from '@tapegrad/autograd/kernels';
import { afterAll, beforeAll, describe } from 'vitest';

// The equality tests run once per kernel backend: 'js' (the reference kernels) and 'wasm' (the SIMD WebAssembly
// ones, the default; built by `pnpm install`). A backend that cannot load here is skipped, and the suite's name
// says why (it is never silently left out).
//
// What 'wasm' covers: even on the wasm backend, products below WASM_MIN_MACS (512) multiply-adds or with fewer
// than WASM_MIN_OUTPUTS (32) outputs stay in the JS kernels (a wasm call would cost more than it saves). Tiny
// networks (the chapter's 2-2-2-3, most PyTorch fixtures, the mutants' nets) therefore compute the same way on
// both backends; the wide layers and large batches (equality-matrix at width 24 or batch 64, the spiral and
// mnist-mlp workloads, cross-backend.test.ts) are where the wasm kernels, and their threads, are exercised.

/** Backends this process cannot use, with the reason. */
export function unavailable(backend: KernelBackend): string | null {
  return backendUnavailableReason(backend);
}

/**
 * `describe(name)` once per kernel backend (default all), with that backend selected for its tests and the
 * previous one restored after them. `fn` gets the backend.
 */
export function describeEachBackend(name: string, fn: (backend: KernelBackend) => void, backends: readonly KernelBackend[] = KERNEL_BACKENDS): void {
  for (const backend of backends) {
    const reason = unavailable(backend);
    const title = `${name} [${backend} kernels]${reason === null ? '' : ` (skipped: ${backend} backend unavailable: ${reason})`}`;
    describe.skipIf(reason !== null)(title, () => {
      let previous: KernelBackend | undefined;
      beforeAll(() => {
        previous = getBackend();
        setBackend(backend);
      });
      afterAll(() => {
        if (previous !== undefined) setBackend(previous);
      });
      fn(backend);
    });
  }
}
