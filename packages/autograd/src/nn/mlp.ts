// MLP(sizes, activation): the chapter's network as a Sequential, sizes = [d, h_1, …, k]:
//   Linear(d → h_1), act, Linear(h_1 → h_2), act, …, Linear(h_{n−1} → k)
// The last layer has no activation: it returns the logits z^n, for crossEntropy (which applies the softmax).
// Weights start with the initialiser suited to the activation: He (kaimingNormal) for the ReLU family, Glorot
// (xavierUniform, with the activation's gain) otherwise; biases start at 0. Parameters are named layers.{2(l−1)}.W/b.

import type { DType, Random } from '../kernels/index.ts';
import type { ActivationName } from '../kernels/index.ts';
import { checkAllocation, checkDType, formatValue } from '../kernels/index.ts';
import { activation } from './activations.ts';
import type { LinearInit } from './linear.ts';
import { Linear, linearBuffers } from './linear.ts';
import { Sequential } from './sequential.ts';

export interface MLPOptions {
  dtype?: DType;
  rng?: Random;
  /** Overrides the per-activation initialiser for every Linear layer. */
  init?: LinearInit;
}

/** A multilayer perceptron [d, h_1, …, k] with `act` between layers (default 'relu'), returning logits. */
export function MLP(sizes: readonly number[], act: ActivationName = 'relu', options: MLPOptions = {}): Sequential {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new Error(`MLP: sizes must list at least the input and output widths, e.g. [2, 64, 3], got ${formatValue(sizes)}`);
  }
  activation(act); // throws on an unknown name, before any layer is built
  checkSizes(sizes, options.dtype ?? 'float32');
  const relu = act === 'relu' || act === 'leakyRelu';
  const init = options.init ?? (relu ? 'kaimingNormal' : 'xavierUniform');
  const layers = new Sequential();
  for (let l = 1; l < sizes.length; l++) {
    layers.append(new Linear(sizes[l - 1], sizes[l], { dtype: options.dtype, rng: options.rng, init, nonlinearity: act }));
    if (l < sizes.length - 1) layers.append(activation(act));
  }
  return layers;
}

/** Every width a positive integer, and all the layers' parameters fit in memory together: checked before any is made. */
function checkSizes(sizes: readonly unknown[], dtype: DType): void {
  sizes.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
      throw new Error(`MLP: sizes[${i}] is ${formatValue(n)}; expected a positive integer width`);
    }
  });
  const widths = sizes as readonly number[];
  const buffers: Record<string, number[]> = {};
  for (let l = 1; l < widths.length; l++) {
    for (const [name, shape] of Object.entries(linearBuffers(widths[l - 1], widths[l], true))) {
      buffers[`layers.${2 * (l - 1)}.${name}`] = shape;
    }
  }
  checkAllocation(`MLP(${formatValue(sizes)})`, checkDType('MLP', dtype), buffers);
}
