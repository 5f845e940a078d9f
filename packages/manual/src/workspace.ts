import type { DType, FloatArray } from '@tapegrad/autograd/kernels';
import { allocate, checkAllocation } from '@tapegrad/autograd/kernels';
import { sup } from './symbols.ts';
import type { TargetKind } from './inputs.ts';
import type { Matrix } from './types.ts';

/**
 * Every per-batch buffer of the chapter for one batch size N, allocated once and reused by every call with that N:
 * a[l] (N × sizes[l], a[0] = x), z[l] and delta[l] (N × sizes[l]), and the targets (dense rows Y and, for class targets, the indices).
 */
export interface Workspace {
  readonly N: number;
  readonly a: FloatArray[];
  readonly z: FloatArray[];
  readonly delta: FloatArray[];
  /** y as dense rows (N × k). */
  readonly Y: FloatArray;
  /** y as class indices (N), when it was given as indices or one-hot rows. */
  readonly labels: Int32Array;
  /** How y was last given. */
  kind: TargetKind;
  /** a^n = softmax(z^n) as handed out by forward(). */
  readonly output: Matrix;
}

/** The shapes of a workspace's buffers for a batch of N rows, named for kernels' checkAllocation. */
export function workspaceBuffers(sizes: readonly number[], N: number): Record<string, number[]> {
  const buffers: Record<string, number[]> = { [`a${sup(0)} = x (a batch of ${N})`]: [N, sizes[0]] };
  for (let l = 1; l < sizes.length; l++) {
    for (const symbol of ['z', 'a', 'δ']) buffers[`${symbol}${sup(l)} (layer ${l}, a batch of ${N})`] = [N, sizes[l]];
  }
  return buffers;
}

export function createWorkspace(where: string, sizes: readonly number[], dtype: DType, N: number): Workspace {
  checkAllocation(where, dtype, workspaceBuffers(sizes, N));
  const n = sizes.length - 1;
  const perLayer = (from: number, to: number) =>
    Array.from({ length: n + 1 }, (_, l) => allocate(dtype, l >= from && l <= to ? N * sizes[l] : 0));
  const a = perLayer(0, n);
  return {
    N,
    a,
    z: perLayer(1, n),
    delta: perLayer(1, n),
    Y: allocate(dtype, N * sizes[n]),
    labels: new Int32Array(N),
    kind: 'indices',
    output: { data: a[n], shape: Object.freeze([N, sizes[n]]) },
  };
}

/** Workspaces by batch size; a training loop typically alternates two (full batches and the last, smaller one). */
export class Workspaces {
  private readonly byN = new Map<number, Workspace>();

  constructor(
    private readonly sizes: readonly number[],
    private readonly dtype: DType,
    private readonly keep = 4,
  ) {}

  get(where: string, N: number): Workspace {
    let ws = this.byN.get(N);
    if (ws === undefined) {
      if (this.byN.size >= this.keep) this.byN.delete(this.byN.keys().next().value as number);
      ws = createWorkspace(where, this.sizes, this.dtype, N);
      this.byN.set(N, ws);
    }
    return ws;
  }
}
