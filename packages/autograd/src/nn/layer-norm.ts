// Layer normalisation (Ba et al. 2016), as torch.nn.LayerNorm: each sample is normalised over its last axes
// (those of `normalizedShape`), then scaled and shifted element-wise:
//   μ = mean(x),  σ² = mean((x − μ)²)   (biased, over the normalised axes)
//   y = (x − μ) / √(σ² + ε) ⊙ weight + bias
// Written with ops, so its gradient (and gradient of gradient) comes from theirs. The parameters keep PyTorch's
// names, weight (γ, ones) and bias (β, zeros), so a state dict maps one to one.

import type { DType, Shape } from '../kernels/index.ts';
import { checkDType, formatValue, shapeStr } from '../kernels/index.ts';
import { ones, zeros } from '../creation.ts';
import { add, div, mean, mul, sqrt, sub } from '../ops/index.ts';
import type { Tensor } from '../tensor.ts';
import { Module } from './module.ts';

export interface LayerNormOptions {
  /** ε added to the variance (default 1e-5). */
  eps?: number;
  /** Learn weight and bias (default true). */
  elementwiseAffine?: boolean;
  /** float32 (default) or float64. */
  dtype?: DType;
}

export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  /** γ, of normalizedShape (null without elementwiseAffine). */
  readonly weight: Tensor | null;
  /** β, of normalizedShape (null without elementwiseAffine). */
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | Shape, options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
      throw new Error(`LayerNorm: normalizedShape must be positive integers, got ${formatValue(normalizedShape)}`);
    }
    const { eps = 1e-5, elementwiseAffine = true } = options;
    if (!(eps > 0)) throw new Error(`LayerNorm: eps must be a number > 0, got ${eps}`);
    const dtype = checkDType('LayerNorm', options.dtype ?? 'float32');
    this.normalizedShape = shape;
    this.eps = eps;
    this.weight = elementwiseAffine ? ones(shape, { dtype, requiresGrad: true }) : null;
    this.bias = elementwiseAffine ? zeros(shape, { dtype, requiresGrad: true }) : null;
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((n, i) => n !== this.normalizedShape[i])) {
      throw new Error(`${this.toString()}: input is ${shapeStr(x.shape)}; expected its last axes to be ${shapeStr(this.normalizedShape)}`);
    }
    const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const centred = sub(x, mean(x, axes, true)); // x − μ
    const variance = mean(mul(centred, centred), axes, true); // σ²
    const y = div(centred, sqrt(add(variance, this.eps)));
    return this.weight === null ? y : add(mul(y, this.weight), this.bias!);
  }

  override toString(): string {
    return `LayerNorm(${shapeStr(this.normalizedShape)}, eps=${this.eps})`;
  }
}
