import { Random } from '@tapegrad/autograd/kernels';
import type { Dataset } from './dataset.ts';

export interface NormalOptions {
  readonly count: number;
  readonly features: number;
  readonly classes: number;
  readonly seed?: number;
}

/**
 * Seeded standard normal features with uniform labels: nothing to learn, but every unit of a small network sees
 * inputs of order 1, which is what a gradient check needs (sparse image-like data leaves a 4-wide input with
 * all-zero rows, where some backprop mistakes hide). The data of networks given by flags that are not 784 wide.
 */
export function normalDataset(options: NormalOptions): Dataset {
  const { count, features, classes, seed = 0 } = options;
  const rng = new Random(seed);
  const x = Float64Array.from({ length: count * features }, () => rng.normal());
  const labels = Int32Array.from({ length: count }, () => rng.int(classes));
  return { name: 'normal', x, labels, count, features, classes };
}
