// Resident arrays: float buffers allocated inside the kernels' shared memory (instance.ts), so that a kernel uses
// them where they are instead of copying them in and out (arena.ts passes them by address). Parameters and an
// optimizer's state live here: Adam's update over 235k float32 parameters spends more time copying θ, ∇θ, m and v
// in and θ, m, v out than computing, and with θ, m and v resident it can also be split across threads (adam.ts
// here). Only a shared memory will do: its growth never detaches the views handed out, where a plain memory's growth
// would empty every one of them.
//
// A block is freed when the view it was handed out as is garbage-collected (a FinalizationRegistry), and its bytes
// go to the next allocation that fits (first fit, neighbours merged). So hold the view itself, or the tensor that
// holds it: a subarray() of it alone does not keep the block alive.
import { getBackend } from '../backend.ts';
import { allocate, type DType, dtypeOf, type FloatArray } from '../dtype.ts';
import { align, type Arena } from './arena.ts';
import { sharedArena } from './instance.ts';

/** A free run of bytes [at, at + bytes) below the arena's scratch start. */
interface Free {
  at: number;
  bytes: number;
}

/** The blocks of one arena: its free runs, in address order. */
const freeRuns = new WeakMap<Arena, Free[]>();

const registry = new FinalizationRegistry<{ arena: Arena; at: number; bytes: number }>(({ arena, at, bytes }) => release(arena, at, bytes));

/** Counters for tests: blocks handed out and freed, and bytes in use. */
export const residentStats = { allocated: 0, freed: 0, bytes: 0 };

/**
 * A zero-filled array of n elements of `dtype` in the kernels' shared memory, or null where there is none (no wasm
 * kernels, or threads that cannot share memory: a browser page that is not cross-origin isolated) or it cannot grow.
 * It behaves as any Float32Array/Float64Array; the wasm kernels use it in place.
 */
export function residentArray(dtype: DType, n: number): Float32Array | Float64Array | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`residentArray: expected a length ≥ 0, got ${n}`);
  const arena = sharedArena();
  if (arena === null) return null;
  const size = dtype === 'float64' ? 8 : 4;
  const bytes = align(Math.max(1, n) * size);
  let at: number;
  try {
    at = take(arena, bytes);
  } catch (e) {
    // The memory cannot grow (its 4 GiB, or the machine's memory): an ordinary array will do, only slower.
    if (e instanceof RangeError) return null;
    throw e;
  }
  const view = dtype === 'float64' ? new Float64Array(arena.memory.buffer, at, n) : new Float32Array(arena.memory.buffer, at, n);
  view.fill(0);
  registry.register(view, { arena, at, bytes }, view);
  residentStats.allocated++;
  residentStats.bytes += bytes;
  return view;
}

/** Whether x is a resident array of the current shared instance (one a kernel can use in place). */
export function isResident(x: Float32Array | Float64Array): boolean {
  return sharedArena()?.holds(x) ?? false;
}

/** The address of a free run of `bytes` (a multiple of 64): the first that fits, else above every block. */
function take(arena: Arena, bytes: number): number {
  const runs = freeRuns.get(arena) ?? [];
  freeRuns.set(arena, runs);
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    if (r.bytes < bytes) continue;
    const at = r.at;
    if (r.bytes === bytes) runs.splice(i, 1);
    else {
      r.at += bytes;
      r.bytes -= bytes;
    }
    return at;
  }
  const at = arena.scratch;
  arena.ensure(at + bytes);
  arena.scratch = at + bytes;
  return at;
}

/**
 * Frees a resident array's block now rather than when the array is collected (tests; the array must not be used
 * after). Returns whether x was a live resident array.
 */
export function releaseResident(x: Float32Array | Float64Array): boolean {
  const arena = sharedArena();
  if (arena === null || !arena.holds(x) || !registry.unregister(x)) return false;
  release(arena, x.byteOffset, align(Math.max(1, x.length) * x.BYTES_PER_ELEMENT));
  return true;
}

/** Returns [at, at + bytes) to the free runs, merged with its neighbours; the top run gives its bytes back to scratch. */
function release(arena: Arena, at: number, bytes: number): void {
  const runs = freeRuns.get(arena) ?? [];
  freeRuns.set(arena, runs);
  let i = 0;
  while (i < runs.length && runs[i].at < at) i++;
  runs.splice(i, 0, { at, bytes });
  if (i + 1 < runs.length && runs[i].at + runs[i].bytes === runs[i + 1].at) {
    runs[i].bytes += runs[i + 1].bytes;
    runs.splice(i + 1, 1);
  }
  if (i > 0 && runs[i - 1].at + runs[i - 1].bytes === runs[i].at) {
    runs[i - 1].bytes += runs[i].bytes;
    runs.splice(i, 1);
    i--;
  }
  const last = runs[runs.length - 1];
  if (last !== undefined && last.at + last.bytes === arena.scratch) {
    arena.scratch = last.at;
    runs.pop();
  }
  residentStats.freed++;
  residentStats.bytes -= bytes;
}

/**
 * Below this many elements a buffer is not worth a resident block (at least 64 bytes each): a bias of a few dozen
 * floats updates as fast in JS as through a wasm call.
 */
export const RESIDENT_MIN = 256;

/**
 * A zero-filled buffer for a parameter or an optimizer's state: on the wasm (or native) backend, from RESIDENT_MIN
 * elements and where the kernels have a shared memory, a resident array (the kernels use it in place, the optimizers'
 * updates on several threads); otherwise an ordinary one. Either way a Float32Array or Float64Array of `dtype`.
 */
export function allocateResident(dtype: DType, n: number): FloatArray {
  if (n >= RESIDENT_MIN && getBackend() !== 'js') {
    const x = residentArray(dtype, n);
    if (x !== null) return x;
  }
  return allocate(dtype, n);
}

/** A zero-filled buffer of x's length and dtype for state kept beside x (an optimizer's moments): resident when x is. */
export function allocateBeside(x: FloatArray): FloatArray {
  const dtype = dtypeOf(x);
  return (isResident(x) ? residentArray(dtype, x.length) : null) ?? allocate(dtype, x.length);
}

/** x itself, or a resident copy of it where allocateResident gives one (a parameter made from ordinary data). */
export function toResident(x: FloatArray): FloatArray {
  if (isResident(x)) return x;
  const r = allocateResident(dtypeOf(x), x.length);
  if (!isResident(r)) return x;
  r.set(x);
  return r;
}
