import type { ActivationName } from '@tapegrad/autograd/kernels';
import { Random } from '@tapegrad/autograd/kernels';
import type { Params } from './engine.ts';

/**
 * One seeded initialisation, handed to every engine as `{ W, b }`: W^l ~ N(0, gain² / in_l) (He for the
 * ReLU family, gain √2; Xavier-like gain 1 otherwise), b^l ~ N(0, 0.01²): small but non-zero, so that no ReLU unit
 * starts exactly on its kink for an all-zero input row.
 */
export function initParams(sizes: readonly number[], activation: ActivationName, seed: number): { W: number[][][]; b: number[][] } {
  const rng = new Random(seed);
  const gain = activation === 'relu' || activation === 'leakyRelu' ? Math.SQRT2 : 1;
  const W: number[][][] = [];
  const b: number[][] = [];
  for (let l = 1; l < sizes.length; l++) {
    const std = gain / Math.sqrt(sizes[l - 1]);
    W.push(Array.from({ length: sizes[l - 1] }, () => Array.from({ length: sizes[l] }, () => std * rng.normal())));
    b.push(Array.from({ length: sizes[l] }, () => 0.01 * rng.normal()));
  }
  return { W, b } satisfies Params;
}
