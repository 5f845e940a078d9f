import { Random } from '@tapegrad/autograd/kernels';
import type { Dataset } from './dataset.ts';

export interface SpiralOptions {
  /** Points per class (default 512). */
  readonly perClass?: number;
  /** Number of arms and classes (default 3). */
  readonly classes?: number;
  /** Angular noise, in radians (default 0.2). */
  readonly noise?: number;
  readonly seed?: number;
}

/**
 * The CS231n spiral: class j is an arm r ∈ [0, 1], θ = 4j … 4(j+1) radians plus Gaussian noise, at the point
 * (r sin θ, r cos θ). Not linearly separable, so the hidden layers have work to do.
 */
export function spiralDataset(options: SpiralOptions = {}): Dataset {
  const { perClass = 512, classes = 3, noise = 0.2, seed = 0 } = options;
  const rng = new Random(seed);
  const count = perClass * classes;
  const x = new Float64Array(count * 2);
  const labels = new Int32Array(count);
  for (let j = 0; j < classes; j++) {
    for (let i = 0; i < perClass; i++) {
      const t = perClass === 1 ? 0 : i / (perClass - 1);
      const r = t;
      const theta = 4 * j + 4 * t + noise * rng.normal();
      const s = j * perClass + i;
      x[2 * s] = r * Math.sin(theta);
      x[2 * s + 1] = r * Math.cos(theta);
      labels[s] = j;
    }
  }
  return { name: 'spiral', x, labels, count, features: 2, classes };
}
