// The wasm kernels of this process: the module (module.ts) instantiated once over a plain memory (an Arena), on
// first use, for every call that runs on the calling thread alone (again when initKernels installs another module);
// and, where threads can share memory, its twin over a shared memory: the memory that worker threads run products
// and optimizer updates in (pool.ts), and that resident arrays live in (resident.ts), since a shared memory's growth
// never detaches the views of it handed out.
import { Arena, type Operand } from './arena.ts';
import type { WasmModule } from './api.ts';
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

let shared: Arena | null = null;
/** The shared module `shared` instantiates. */
let sharedOf: WasmModule | null = null;

/**
 * The instance over a shared memory, or null where there is none: no wasm kernels, or a runtime whose threads cannot
 * share memory (a browser page that is not cross-origin isolated). A new one when another module is installed.
 */
export function sharedArena(): Arena | null {
  const loaded = loadKernelModule();
  if (!loaded.ok || loaded.module === null || instantiate() === null) return null;
  if (loaded.module !== sharedOf) {
    shared = new Arena(loaded.module, true);
    sharedOf = loaded.module;
  }
  return shared;
}

/**
 * Runs the wasm kernel `name`: operands copied in, the call, results copied out (Arena.call). In the shared instance
 * when an operand lives there (a resident array: it is then used in place), else in the plain one.
 */
export function callWasm(name: string, ...args: (number | Operand)[]): number {
  const arena = sharedArena();
  if (arena !== null) {
    for (const a of args) {
      if (typeof a !== 'number' && ((a.from !== null && arena.holds(a.from)) || (a.to !== null && arena.holds(a.to)))) return arena.call(name, ...args);
    }
  }
  return localArena().call(name, ...args);
}
