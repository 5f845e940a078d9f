import type { ActivationName } from '@tapegrad/autograd/kernels';

// The named workloads: one table shared by the tests, the CLI and the benchmarks. Each one fixes the network,
// the batch, the data it trains on, the learning rate and how many lockstep steps a run takes by default.

export type WorkloadName = 'chapter' | 'spiral' | 'mnist-mlp' | 'wide';

/**
 * Where a workload's samples come from. 'mnist' means IDX files with `--data DIR`, else seeded synthetic data;
 * 'normal' seeded standard normal features (networks given by flags that are not 784 wide).
 */
export type DataSource = 'chapter' | 'spiral' | 'mnist' | 'normal';

/** Whether a workload reads the IDX files of `--data DIR` (its data is 'mnist'); the others make their own. */
export function readsDataDir(w: Pick<Workload, 'data'>): boolean {
  return w.data === 'mnist';
}

export interface Workload {
  /** One of WORKLOAD_NAMES, or a network given by flags (see networkWorkload). */
  readonly name: string;
  /** Layer widths [d, h_1, …, k]. */
  readonly sizes: readonly number[];
  /** The activation of every hidden layer. */
  readonly activation: ActivationName;
  /** Batch size N. */
  readonly batch: number;
  readonly data: DataSource;
  /** SGD learning rate of the lockstep run. */
  readonly lr: number;
  /** Lockstep SGD steps in a full run and with --quick. */
  readonly steps: number;
  readonly quickSteps: number;
  /** Seed of the weight initialisation and of the data. */
  readonly seed: number;
  readonly description: string;
}

export const WORKLOADS: readonly (Workload & { readonly name: WorkloadName })[] = Object.freeze([
  {
    name: 'chapter',
    sizes: [2, 2, 2, 3],
    activation: 'sigmoid',
    batch: 3,
    data: 'chapter',
    lr: 0.5,
    steps: 50,
    quickSteps: 20,
    seed: 1,
    description: "the chapter's worked example: 2-2-2-3 sigmoid, a batch of 3",
  },
  {
    name: 'spiral',
    sizes: [2, 64, 64, 3],
    activation: 'relu',
    batch: 256,
    data: 'spiral',
    lr: 0.5,
    steps: 30,
    quickSteps: 8,
    seed: 2,
    description: 'a seeded 3-class spiral, 2-64-64-3 ReLU',
  },
  {
    name: 'mnist-mlp',
    sizes: [784, 256, 256, 10],
    activation: 'relu',
    batch: 128,
    data: 'mnist',
    lr: 0.1,
    steps: 10,
    quickSteps: 4,
    seed: 3,
    description: 'MNIST (IDX files with --data DIR, else seeded synthetic), 784-256-256-10 ReLU',
  },
  {
    name: 'wide',
    sizes: [784, 1024, 1024, 10],
    activation: 'relu',
    batch: 256,
    data: 'mnist',
    lr: 0.05,
    steps: 5,
    quickSteps: 2,
    seed: 4,
    description: 'as mnist-mlp, 784-1024-1024-10 ReLU, batch 256',
  },
] satisfies (Workload & { name: WorkloadName })[]);

export const WORKLOAD_NAMES: readonly WorkloadName[] = WORKLOADS.map((w) => w.name);

/** The workload called `name`, or an error that lists the choices. */
export function workloadByName(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (w === undefined) {
    throw new Error(`unknown workload ${JSON.stringify(name)}; expected one of ${WORKLOAD_NAMES.join(', ')}`);
  }
  return w;
}

/** "784-256-256-10" */
export function sizesLabel(sizes: readonly number[]): string {
  return sizes.join('-');
}

/**
 * A network given by its sizes, hidden activation and batch (`--sizes 784,100,10 --activation tanh --batch 32`):
 * 784 wide, it trains on MNIST-shaped data like mnist-mlp (the IDX files with --data); otherwise on seeded
 * standard normal data of its width and classes.
 */
export function networkWorkload(sizes: readonly number[], activation: ActivationName, batch: number): Workload {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`network ${sizes.join(',')}: expected at least two positive integer layer widths`);
  }
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`network ${sizes.join('-')}: batch ${batch}; expected a positive integer`);
  return {
    name: 'custom',
    sizes: [...sizes],
    activation,
    batch,
    data: sizes[0] === 784 ? 'mnist' : 'normal',
    lr: 0.1,
    steps: 10,
    quickSteps: 4,
    seed: 5,
    description: `${sizesLabel(sizes)} ${activation}, batch ${batch}, given by flags`,
  };
}
