import type { Boundary, StepRecord, TrainConfig } from './trainer.ts';

// The messages between the page and its training worker (train.worker.ts).

/** The kernels a thread runs on, as initKernels() set them up there. */
export interface KernelsInfo {
  readonly backend: string;
  readonly threads: number;
  readonly fma: boolean;
  readonly isolated: boolean;
  /** Why the wasm kernels could not be loaded, where they could not. */
  readonly error?: string;
}

export type ToWorker =
  /** A fresh pair of engines (and data, batches) for this configuration. */
  | { readonly type: 'reset'; readonly config: TrainConfig }
  /** Train until `stopAt` steps in all (0: until paused). */
  | { readonly type: 'run'; readonly stopAt: number }
  | { readonly type: 'pause' }
  /** The learning rate of the next steps. */
  | { readonly type: 'lr'; readonly lr: number };

export interface Progress {
  readonly type: 'progress';
  /** The steps taken since the last message. */
  readonly records: readonly StepRecord[];
  readonly total: number;
  readonly running: boolean;
  /** At most a few times a second: the manual network's decision regions, accuracy, and the trajectories' drift. */
  readonly boundary?: Boundary;
  readonly accuracy?: number;
  readonly drift?: { readonly exact: boolean; readonly maxUlps: number; readonly maxRel: number };
}

export type FromWorker =
  | { readonly type: 'ready'; readonly kernels: KernelsInfo }
  | Progress
  | { readonly type: 'error'; readonly message: string };
