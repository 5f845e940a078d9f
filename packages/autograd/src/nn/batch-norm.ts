// Batch normalisation over the batch (Ioffe & Szegedy 2015), as torch.nn.BatchNorm1d, for inputs [N, C] or
// [N, C, L] (statistics per channel C, over N and L):
//   training: μ, σ² = mean and biased variance over the batch;  y = (x − μ)/√(σ² + ε) ⊙ weight + bias
//             runningMean ← (1 − m) runningMean + m μ;  runningVar ← (1 − m) runningVar + m σ² n/(n − 1)
//             (m = momentum, n = values per channel; the running variance is the unbiased one, as in PyTorch)
//   eval():   y = (x − runningMean)/√(runningVar + ε) ⊙ weight + bias
// Written with ops (the gradient flows through μ and σ² in training mode). The running statistics are leaf
// tensors that do not require grad, so stateDict() saves them and the optimizer never sees them.

import type { DType } from '../kernels/index.ts';
import { checkDType, shapeStr } from '../kernels/index.ts';
import { ones, zeros } from '../creation.ts';
import { add, div, mean, mul, reshape, sqrt, sub } from '../ops/index.ts';
import { bumpVersion } from '../tape/versions.ts';
import type { Tensor } from '../tensor.ts';
import { Module } from './module.ts';

export interface BatchNormOptions {
  /** ε added to the variance (default 1e-5). */
  eps?: number;
  /** Weight m of the newest batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Learn weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics, used by eval() (default true); without them eval() uses the batch's. */
  trackRunningStats?: boolean;
  /** float32 (default) or float64. */
  dtype?: DType;
}

export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  /** γ, [C] (null without affine). */
  readonly weight: Tensor | null;
  /** β, [C] (null without affine). */
  readonly bias: Tensor | null;
  /** The running mean, [C], zeros at first (null without trackRunningStats). */
  readonly runningMean: Tensor | null;
  /** The running (unbiased) variance, [C], ones at first (null without trackRunningStats). */
  readonly runningVar: Tensor | null;
  /** How many training batches have updated the running statistics. */
  numBatchesTracked = 0;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new Error(`BatchNorm1d: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = options;
    if (!(eps > 0)) throw new Error(`BatchNorm1d: eps must be a number > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`BatchNorm1d: momentum must be a number in [0, 1], got ${momentum}`);
    const dtype = checkDType('BatchNorm1d', options.dtype ?? 'float32');
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? ones([numFeatures], { dtype, requiresGrad: true }) : null;
    this.bias = affine ? zeros([numFeatures], { dtype, requiresGrad: true }) : null;
    this.runningMean = trackRunningStats ? zeros([numFeatures], { dtype }) : null;
    this.runningVar = trackRunningStats ? ones([numFeatures], { dtype }) : null;
  }

  forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C) {
      throw new Error(`${this.toString()}: input is ${shapeStr(x.shape)}; expected [N, ${C}] or [N, ${C}, L]`);
    }
    const axes = x.ndim === 2 ? [0] : [0, 2];
    const n = x.ndim === 2 ? x.shape[0] : x.shape[0] * x.shape[2];
    const perChannel = x.ndim === 2 ? [1, C] : [1, C, 1]; // how a [C] vector broadcasts against x
    let mu: Tensor;
    let variance: Tensor;
    if (this.training || this.runningMean === null) {
      if (this.training && n <= 1) {
        throw new Error(`${this.toString()}: expected more than one value per channel when training, got input ${shapeStr(x.shape)}`);
      }
      mu = mean(x, axes, true);
      const centred = sub(x, mu);
      variance = mean(mul(centred, centred), axes, true); // biased: what normalises the batch
      if (this.training && this.runningMean !== null) this.track(mu, variance, n);
    } else {
      mu = reshape(this.runningMean, perChannel);
      variance = reshape(this.runningVar!, perChannel);
    }
    const y = div(sub(x, mu), sqrt(add(variance, this.eps)));
    if (this.weight === null) return y;
    return add(mul(y, reshape(this.weight, perChannel)), reshape(this.bias!, perChannel));
  }

  /** The running-statistics update: plain loops on the buffers, in place, so nothing is recorded. */
  private track(mu: Tensor, variance: Tensor, n: number): void {
    const m = this.momentum;
    const unbias = n / (n - 1);
    const rm = this.runningMean!.data;
    const rv = this.runningVar!.data;
    for (let c = 0; c < rm.length; c++) {
      rm[c] = (1 - m) * rm[c] + m * mu.data[c];
      rv[c] = (1 - m) * rv[c] + m * variance.data[c] * unbias;
    }
    bumpVersion(this.runningMean!);
    bumpVersion(this.runningVar!);
    this.numBatchesTracked++;
  }

  override toString(): string {
    return `BatchNorm1d(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum})`;
  }
}
