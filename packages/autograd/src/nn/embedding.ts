// A lookup table, as torch.nn.Embedding: row i of weight for each index i, out[..., :] = weight[index[...], :].
// It is the `take` op on the flat weight, so the gradient adds each row's upstream gradient back into the rows
// that were looked up (repeated indices add up). weight starts N(0, 1), as in PyTorch.

import type { DType, Random } from '../kernels/index.ts';
import { checkDType, shapeStr } from '../kernels/index.ts';
import { randn } from '../creation.ts';
import { take } from '../ops/index.ts';
import { Tensor } from '../tensor.ts';
import { Module } from './module.ts';

export interface EmbeddingOptions {
  /** float32 (default) or float64. */
  dtype?: DType;
  /** The generator of the initial weights (default: the one manualSeed() reseeds). */
  rng?: Random;
}

export class Embedding extends Module {
  /** The table, numEmbeddings × embeddingDim. */
  readonly weight: Tensor;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [what, n] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`Embedding: ${what} must be a positive integer, got ${n}`);
    }
    const dtype = checkDType('Embedding', options.dtype ?? 'float32');
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = randn([numEmbeddings, embeddingDim], { dtype, rng: options.rng, requiresGrad: true });
  }

  /** The rows for `indices` (a Tensor of integer values, or a list): shape [...indices.shape, embeddingDim]. */
  forward(indices: Tensor | ArrayLike<number>): Tensor {
    const values: ArrayLike<number> = indices instanceof Tensor ? indices.data : indices;
    const shape = indices instanceof Tensor ? indices.shape : [values.length];
    const D = this.embeddingDim;
    const flat = new Int32Array(values.length * D);
    for (let i = 0; i < values.length; i++) {
      const row = values[i];
      if (!Number.isInteger(row) || row < 0 || row >= this.numEmbeddings) {
        throw new Error(
          `${this.toString()}: index ${row} at flat position ${i} of indices ${shapeStr(shape)} is out of range; ` +
            `expected an integer in [0, ${this.numEmbeddings})`,
        );
      }
      for (let j = 0; j < D; j++) flat[i * D + j] = row * D + j;
    }
    return take(this.weight, flat, [...shape, D]);
  }

  override toString(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }
}
