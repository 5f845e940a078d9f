import { initKernels } from '@tapegrad/autograd';
import { getBackend } from '@tapegrad/autograd/kernels';
import type { KernelsInfo } from './training/protocol.ts';

/**
 * Starts the wasm kernels in this thread (the page, or the training worker) and says what it got. Threads need
 * memory shared with Web Workers, which a browser allows only on a cross-origin isolated page; elsewhere the kernels
 * run on one thread, with the same numbers. Where the wasm kernels cannot load, the reference JS kernels run.
 */
export async function startKernels(threads?: number): Promise<KernelsInfo> {
  const isolated = globalThis.crossOriginIsolated === true;
  try {
    const k = await initKernels(threads === undefined ? {} : { threads });
    return { backend: k.backend, threads: k.threads, fma: k.fma, isolated };
  } catch (e) {
    return { backend: getBackend(), threads: 1, fma: false, isolated, error: e instanceof Error ? e.message : String(e) };
  }
}
