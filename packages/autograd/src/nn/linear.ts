// A fully connected layer in the chapter's convention: z = a W + b, with W: in × out and the bias row b of width
// out added to every row of the batch (a: N × in → z: N × out). A 1-D input [in] is treated as one row.

import type { DType, FusedActivation, Random } from '../kernels/index.ts';
import { checkAllocation, checkDType, formatValue, shapeStr } from '../kernels/index.ts';
import { defaultRandom, zeros as zerosTensor } from '../creation.ts';
import { linear, matmul, relu, reshape, sigmoid, tanh } from '../ops/index.ts';
import type { Tensor } from '../tensor.ts';
import * as init from './init.ts';
import type { Nonlinearity } from './init.ts';
import { Module } from './module.ts';

/**
 * How W (and b) start:
 * - 'uniform' (default, PyTorch's nn.Linear): W and b ~ U(−1/√in, 1/√in);
 * - 'xavierUniform' | 'xavierNormal' | 'kaimingUniform' | 'kaimingNormal': see ./init.ts, with b = 0;
 * - a function that fills W and b in place.
 */
export type LinearInit =
  | 'uniform'
  | 'xavierUniform'
  | 'xavierNormal'
  | 'kaimingUniform'
  | 'kaimingNormal'
  | ((W: Tensor, b: Tensor | null, rng: Random) => void);

export interface LinearOptions {
  /** float32 (default) or float64. */
  dtype?: DType;
  /** The generator for the initial weights (default: the one manualSeed() reseeds). */
  rng?: Random;
  /** The initialiser (default 'uniform'). */
  init?: LinearInit;
  /** The activation that follows, for the gain of the xavier/kaiming initialisers (default: 'relu' for kaiming, 'identity' for xavier). */
  nonlinearity?: Nonlinearity;
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  /** Weights, in × out. */
  readonly W: Tensor;
  /** Bias row of width out (null when created with { bias: false }). */
  readonly b: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [what, n] of [['in', inFeatures], ['out', outFeatures]] as const) {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`Linear: ${what} must be a positive integer, got ${n}`);
    }
    const dtype = checkDType('Linear', options.dtype ?? 'float32');
    checkAllocation(`Linear(${inFeatures} → ${outFeatures})`, dtype, linearBuffers(inFeatures, outFeatures, options.bias !== false));
    const rng = options.rng ?? defaultRandom();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.W = zerosTensor([inFeatures, outFeatures], { dtype, requiresGrad: true });
    this.b = options.bias === false ? null : zerosTensor([outFeatures], { dtype, requiresGrad: true });
    initialise(this.W, this.b, options.init ?? 'uniform', rng, options.nonlinearity);
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, undefined);
  }

  /**
   * act(x W + b) in one op where there is a bias (linear() with its activation), else act(x W); forward() without
   * `act`. Sequential calls it for a Linear followed by that activation's module.
   */
  forwardActivated(x: Tensor, act: FusedActivation | undefined): Tensor {
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`${this.toString()}: input is ${shapeStr(x.shape)}; expected [N, ${this.inFeatures}] or [${this.inFeatures}]`);
    }
    const a = x.ndim === 1 ? reshape(x, [1, this.inFeatures]) : x;
    // a W (+ b, added to every row), then act: N × out
    const z = this.b === null ? applyActivation(matmul(a, this.W), act) : linear(a, this.W, this.b, act);
    return x.ndim === 1 ? reshape(z, [this.outFeatures]) : z;
  }

  override toString(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures})`;
  }
}

/** act(z) by the op of that name (z itself without one). */
function applyActivation(z: Tensor, act: FusedActivation | undefined): Tensor {
  return act === undefined ? z : act === 'relu' ? relu(z) : act === 'sigmoid' ? sigmoid(z) : tanh(z);
}

/** The shapes of a Linear layer's parameters, for checkAllocation. */
export function linearBuffers(inFeatures: number, outFeatures: number, bias: boolean): Record<string, number[]> {
  return bias ? { W: [inFeatures, outFeatures], b: [outFeatures] } : { W: [inFeatures, outFeatures] };
}

function initialise(W: Tensor, b: Tensor | null, how: LinearInit, rng: Random, nonlinearity?: Nonlinearity): void {
  if (typeof how === 'function') {
    how(W, b, rng);
    return;
  }
  switch (how) {
    case 'uniform': {
      const a = 1 / Math.sqrt(W.shape[0]); // PyTorch's default: kaimingUniform with gain √(1/3), i.e. U(±1/√in)
      init.uniform(W, -a, a, { rng });
      if (b !== null) init.uniform(b, -a, a, { rng });
      return;
    }
    case 'xavierUniform':
    case 'xavierNormal':
      init[how](W, { rng, gain: init.calculateGain(nonlinearity ?? 'identity') });
      return;
    case 'kaimingUniform':
    case 'kaimingNormal':
      init[how](W, { rng, nonlinearity: nonlinearity ?? 'relu' });
      return;
    default:
      throw new Error(
        `Linear: unknown init ${formatValue(how)}; expected 'uniform', 'xavierUniform', 'xavierNormal', 'kaimingUniform', ` +
          `'kaimingNormal' or a function (W, b, rng) => void`,
      );
  }
}
