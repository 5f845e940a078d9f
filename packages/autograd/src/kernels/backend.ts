// Kernel backends: 'js' (the plain TypeScript reference kernels, portable, the definition of the semantics), 'wasm'
// (SIMD WebAssembly, assembly/, the default where it can be loaded) and 'native' (Node only, opt-in: the matrix
// products on OpenBLAS, the optimizers' updates and the batch's gather through a C addon compiled on first use,
// native/*.c; everything else as on 'wasm', or in JS where a kernel has no wasm form).
// Which kernel has a wasm or native form, and from what size it pays, is the kernel table's business (table.ts);
// this file says which backend is selected. Both engines call the same kernels, so switching here switches both.
//
// Selection: setBackend(), else the TAPEGRAD_BACKEND setting ('js' | 'wasm' | 'native'), else 'wasm' when available
// (with a one-time warning, naming why and how to build it, when it is not). In a browser the wasm kernels are
// available once initKernels() (init.ts) has fetched them; the default is picked again then.
import { platform } from '#platform';
import { formatValue } from './format.ts';
import { nativeUnavailableReason } from './native/kernels.ts';
import { wasmFma, wasmUnavailableReason } from './wasm/instance.ts';

export { getKernelThreads, kernelThreadsReady, setKernelThreads } from './wasm/gemm.ts';

export type KernelBackend = 'js' | 'wasm' | 'native';
export const KERNEL_BACKENDS: readonly KernelBackend[] = ['js', 'wasm', 'native'];

const isBackend = (name: unknown): name is KernelBackend => (KERNEL_BACKENDS as readonly unknown[]).includes(name);

let selected: KernelBackend | undefined;
/** Whether setBackend chose `selected` (otherwise it is the default, picked again after initKernels). */
let chosen = false;

/** Whether a backend can be used in this process (loading the wasm module if need be). */
export function backendAvailable(name: KernelBackend): boolean {
  return backendUnavailableReason(name) === null;
}

/**
 * Whether the wasm kernels are the fused multiply-add build (relaxed-simd; see wasm/module.ts): products then round
 * once per multiply-add instead of twice, so they differ from the reference JS kernels in the last bits. False on
 * the plain SIMD build or when wasm is unavailable.
 */
export function wasmFusedMultiplyAdd(): boolean {
  return wasmFma();
}

/** Why a backend cannot be used, or null if it can. */
export function backendUnavailableReason(name: KernelBackend): string | null {
  if (name === 'js') return null;
  if (name === 'wasm') return wasmUnavailableReason();
  // 'native' runs every kernel without a native form as 'wasm' does, so it needs the wasm kernels too
  if (name === 'native') return wasmUnavailableReason() ?? nativeUnavailableReason();
  return `unknown kernel backend ${formatValue(name)}`;
}

/** The backend the kernels currently use. */
export function getBackend(): KernelBackend {
  if (selected === undefined) selected = defaultBackend();
  return selected;
}

function defaultBackend(): KernelBackend {
  const env = platform.setting('TAPEGRAD_BACKEND');
  if (env === 'js') return 'js';
  if (env === 'native') {
    const why = backendUnavailableReason('native');
    if (why !== null) throw new Error(`TAPEGRAD_BACKEND=native: the native backend is unavailable: ${why}`);
    return 'native';
  }
  if (env !== undefined && env !== '' && env !== 'wasm') {
    throw new Error(`TAPEGRAD_BACKEND: unknown kernel backend ${formatValue(env)}; expected 'js', 'wasm' or 'native'`);
  }
  const reason = wasmUnavailableReason();
  if (reason === null) return 'wasm';
  platform.warn(`tapegrad: wasm kernels unavailable (${reason}); using the reference JS kernels`);
  return 'js';
}

/** Selects the backend for all later kernel calls. Throws if it is unknown or cannot be loaded. */
export function setBackend(name: KernelBackend): void {
  if (!isBackend(name)) {
    throw new Error(`setBackend: unknown kernel backend ${formatValue(name)}; expected 'js', 'wasm' or 'native'`);
  }
  const reason = backendUnavailableReason(name);
  if (reason !== null) throw new Error(`setBackend: the ${name} backend is unavailable: ${reason}`);
  selected = name;
  chosen = true;
}

/**
 * Forgets the default backend (not one setBackend chose), so that the next kernel call picks it again: initKernels()
 * has loaded the wasm kernels.
 */
export function pickDefaultBackendAgain(): void {
  if (!chosen) selected = undefined;
}
