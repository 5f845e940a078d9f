import type { KernelsInfo } from './training/protocol.ts';

/** "wasm (FMA), 2 threads" and the like. */
export function kernelsText(k: KernelsInfo): string {
  const backend = k.backend === 'wasm' ? `wasm${k.fma ? ' (relaxed SIMD, FMA)' : ' (SIMD)'}` : `${k.backend} (the reference JS kernels)`;
  return `${backend}, ${k.threads} thread${k.threads === 1 ? '' : 's'}`;
}
