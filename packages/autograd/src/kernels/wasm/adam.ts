// Adam's update over resident buffers (resident.ts): θ, m and v (and AMSGrad's v̂) are used where they live, in the
// shared memory, and only ∇θ is copied in when it is not resident itself; a large update is split across the
// threads of the pool (pool.ts), each taking a run of whole cache lines. Against the copying path (arena.call) this
// saves copying θ, m, v in and out: six of the seven passes over memory that the copies made.
import type { AdamScalars } from '../reference.ts';
import { Layout } from './arena.ts';
import { getKernelThreads, poolOf } from './gemm.ts';
import { sharedArena } from './instance.ts';
import { POOL_ADAM } from './pool.ts';

/**
 * From this many elements an update in place is split across threads: handing a chunk to a worker that is still
 * spinning after the backward pass's products costs a few microseconds, 16k float32 elements take ~15-25 µs.
 */
export const ADAM_THREAD_MIN = 32768;

/**
 * Adam's update in place where θ, m, v (and vMax, unless null) are resident arrays of the shared instance; returns
 * false, doing nothing, where they are not (the caller then copies them in: table.ts).
 */
export function adamInPlace(
  theta: Float32Array | Float64Array, grad: Float32Array | Float64Array, m: Float32Array | Float64Array,
  v: Float32Array | Float64Array, vMax: Float32Array | Float64Array | null, s: AdamScalars,
): boolean {
  const arena = sharedArena();
  if (arena === null || !arena.holds(theta) || !arena.holds(m) || !arena.holds(v) || (vMax !== null && !arena.holds(vMax))) return false;
  const n = theta.length;
  const size = theta.BYTES_PER_ELEMENT;
  const layout = new Layout(arena);
  const scalars = layout.reserve(64);
  const pg = layout.place(grad, n);
  arena.ensure(layout.end);
  if (!arena.holds(grad)) arena.copyIn(grad, n, pg);
  const f64 = arena.view(8);
  f64.set([s.stepSize, s.bias2Sqrt, s.beta1, s.beta2, s.eps, s.weightDecay, s.decay, s.sign], scalars / 8);
  const ams = vMax === null ? 0 : 1;
  const pv = vMax === null ? 0 : vMax.byteOffset;
  const threads = n >= ADAM_THREAD_MIN ? Math.min(getKernelThreads(), Math.floor(n / (ADAM_THREAD_MIN / 2))) : 1;
  const pool = threads > 1 ? poolOf(threads - 1) : null;
  const args = [size, theta.byteOffset, pg, m.byteOffset, v.byteOffset, pv, n, ams, scalars, 0, 0, 0, 0];
  if (pool !== null && pool.admits()) pool.run([...args, 0, threads, POOL_ADAM], arena.export('adamChunk'));
  else arena.export('adamChunk')(...args, 0, 1);
  return true;
}
