import type { KernelBackend } from '@tapegrad/autograd/kernels';
import { backendUnavailableReason, getBackend, getKernelThreads, KERNEL_BACKENDS, nativeCore, setBackend, wasmFusedMultiplyAdd } from '@tapegrad/autograd/kernels';
import type { Engine, EngineFactory } from './engine.ts';

// The kernel backend of the matrix products ('js', the reference kernels; 'wasm', the SIMD WebAssembly ones;
// 'native', OpenBLAS through a Node addon) is one process-wide setting of @tapegrad/autograd that both engines
// follow. Here: running something on a given backend and restoring the previous one, and engines pinned to a
// backend, so that one lockstep run can put the same engine on both backends side by side.

export { KERNEL_BACKENDS } from '@tapegrad/autograd/kernels';
export type { KernelBackend } from '@tapegrad/autograd/kernels';

/** `name` as a kernel backend, or an error that lists the choices, or says why an available name cannot be used. */
export function checkBackend(name: string): KernelBackend {
  if (!(KERNEL_BACKENDS as readonly string[]).includes(name)) {
    throw new Error(`unknown kernel backend ${JSON.stringify(name)}; choose from ${KERNEL_BACKENDS.join(', ')}`);
  }
  const reason = backendUnavailableReason(name as KernelBackend);
  if (reason !== null) throw new Error(`kernel backend ${JSON.stringify(name)} is unavailable here: ${reason}`);
  return name as KernelBackend;
}

/** Runs `fn` with the matrix products on `backend`, then restores the backend that was selected before. */
export function withBackend<T>(backend: KernelBackend, fn: () => T): T {
  const previous = getBackend();
  if (previous === backend) return fn();
  setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}

/**
 * The engines of `make`, pinned to `backend`: every call runs on it whatever the process-wide setting, and the
 * engine is named `<name>/<backend>` ('autograd/wasm'). Lets the equality report compare one engine across backends.
 */
export function onBackend(make: EngineFactory, backend: KernelBackend): EngineFactory {
  return (spec, dtype): Engine => {
    const e = withBackend(backend, () => make(spec, dtype));
    const on = <T>(fn: () => T): T => withBackend(backend, fn);
    return {
      name: `${e.name}/${backend}`,
      dtype: e.dtype,
      sizes: e.sizes,
      setParams: (p) => on(() => e.setParams(p)),
      getParams: () => on(() => e.getParams()),
      symbols: (batch) => on(() => e.symbols(batch)),
      step: (batch, lr) => on(() => e.step(batch, lr)),
      forward: (batch) => on(() => e.forward(batch)),
      backward: () => on(() => e.backward()),
    };
  };
}

/** 'wasm (2 threads, FMA)', 'wasm (1 thread)', 'native (OpenBLAS SkylakeX, 2 threads)', 'js' */
export function backendLabel(backend: KernelBackend, threads = getKernelThreads()): string {
  if (backend === 'wasm') return `wasm ${wasmDetail(threads, wasmFusedMultiplyAdd())}`;
  if (backend === 'native') return `native (OpenBLAS ${nativeCore() ?? 'unavailable'}, ${threads} ${threads === 1 ? 'thread' : 'threads'})`;
  return backend;
}

/** '(2 threads, FMA)', '(1 thread)': how the wasm kernels ran. */
export function wasmDetail(threads: number, fusedMultiplyAdd: boolean): string {
  return `(${threads} ${threads === 1 ? 'thread' : 'threads'}${fusedMultiplyAdd ? ', FMA' : ''})`;
}
