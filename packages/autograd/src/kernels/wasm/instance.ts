// The wasm kernels of this process: the module (module.ts) instantiated once over a plain memory (an Arena), on
// first use, for every call that runs on the calling thread alone (again when initKernels installs another module).
// Products split across threads have an instance of their own over a shared memory (gemm.ts).
import { Arena, type Operand } from './arena.ts';
import { type KernelModule, loadKernelModule } from './module.ts';

let local: Arena | null = null;
let reason: string | null = null;
/** The module `local` (or `reason`) belongs to. */
let of: KernelModule | undefined;

function instantiate(): Arena | null {
  const loaded = loadKernelModule();
  if (loaded === of) return local;
  of = loaded;
  local = null;
  reason = null;
  if (!loaded.ok) {
    reason = loaded.reason;
    return null;
  }
  try {
    local = new Arena(loaded.local, false);
  } catch (e) {
    reason = `cannot instantiate the wasm kernels: ${(e as Error).message}`;
  }
  return local;
}

/** Why the wasm kernels cannot run here, or null if they can (loading them on first call). */
export function wasmUnavailableReason(): string | null {
  instantiate();
  return reason;
}

/** Whether the loaded kernels are the fused multiply-add build; false when there are none. */
export function wasmFma(): boolean {
  const loaded = loadKernelModule();
  return instantiate() !== null && loaded.ok && loaded.fma;
}

/** The instance over the plain memory; throws, saying why, where the wasm kernels are unavailable. */
export function localArena(): Arena {
  const arena = instantiate();
  if (arena === null) throw new Error(`the wasm kernels are unavailable: ${reason}`);
  return arena;
}

/** Runs the wasm kernel `name` on this thread: operands copied in, the call, results copied out (Arena.call). */
export function callWasm(name: string, ...args: (number | Operand)[]): number {
  return localArena().call(name, ...args);
}
