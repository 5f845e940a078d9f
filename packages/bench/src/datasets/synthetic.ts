import { Random } from '@tapegrad/autograd/kernels';
import type { Dataset } from './dataset.ts';

export interface SyntheticOptions {
  readonly count?: number;
  /** Pixels per sample (default 784, a 28 × 28 image). */
  readonly features?: number;
  readonly classes?: number;
  readonly seed?: number;
}

/**
 * Seeded stand-in for MNIST with its shape and texture: pixels in [0, 1], about four in five exactly 0, ten
 * classes. Each class has a prototype (a random sparse image); a sample is its prototype with a random
 * intensity, a few pixels dropped and a little noise on the lit ones, so the classes can be learned.
 */
export function syntheticDataset(options: SyntheticOptions = {}): Dataset {
  const { count = 2048, features = 784, classes = 10, seed = 0 } = options;
  const rng = new Random(seed);
  const prototypes = new Float64Array(classes * features);
  for (let i = 0; i < prototypes.length; i++) prototypes[i] = rng.uniform() < 0.2 ? 0.5 + 0.5 * rng.uniform() : 0;
  const x = new Float64Array(count * features);
  const labels = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    const k = rng.int(classes);
    labels[s] = k;
    const gain = 0.7 + 0.3 * rng.uniform();
    for (let p = 0; p < features; p++) {
      const v = prototypes[k * features + p];
      if (v === 0 || rng.uniform() < 0.1) continue;
      x[s * features + p] = Math.min(1, Math.max(0, gain * v + 0.05 * rng.normal()));
    }
  }
  return { name: 'synthetic', x, labels, count, features, classes };
}
