import type { ActivationName } from '@tapegrad/autograd/kernels';
import type { MLPParamsCopy } from '@tapegrad/manual';
import { initialParams } from '@tapegrad/manual';

/**
 * Biases of the bench's starting parameters: b^l ~ N(0, BIAS_STD²), small but non-zero, so that the equality checks
 * exercise the bias path of the forward (b = 0 would hide a forward that drops or misplaces it) and no ReLU unit
 * starts exactly on its kink for an input row of zeros (the spiral's arms start at the origin).
 */
export const BIAS_STD = 0.01;

/**
 * One seeded initialisation, handed to every engine as `{ W, b }`: the manual engine's (@tapegrad/manual's
 * initialParams: He for layers followed by the ReLU family, gain 1 otherwise and for the softmax output layer),
 * with biases of BIAS_STD.
 */
export function initParams(sizes: readonly number[], activation: ActivationName, seed: number): MLPParamsCopy {
  return initialParams(sizes, activation, seed, { biasStd: BIAS_STD });
}
