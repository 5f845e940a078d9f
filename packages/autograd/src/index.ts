// @tapegrad/autograd: the public surface, everything a user may use. Kernels are exported separately at
// '@tapegrad/autograd/kernels'; the tape's internals, the ops that only backward rules use, and test hooks at
// '@tapegrad/autograd/internal' (for this repository's tests and bench, not for users).
export type { DType, FloatArray, Shape } from './kernels/index.ts';
export { Random } from './kernels/index.ts';
export type { InitializedKernels, InitKernelsOptions, KernelFile, KernelFiles, KernelSource } from './kernels/index.ts';
export { getBackend, initKernels } from './kernels/index.ts';
export type { NestedArray, TensorLike } from './tensor.ts';
export { Tensor } from './tensor.ts';
export type { BackwardRule, OpResult } from './tape.ts';
export { defineUserOp } from './tape.ts';
export type { BackwardOptions } from './tape/backward.ts';
export { backward } from './tape/backward.ts';
export { emptyCache, recyclerStats } from './tape/recycler.ts';
export { detectAnomaly, enableGrad, isAnomalyEnabled, isGradEnabled, noGrad, withAnomalyDetection } from './grad-mode.ts';
export type { CrossEntropyTarget, GeluApproximation, Mask } from './ops/index.ts';
export {
  add, sub, mul, div, neg, pow, exp, log, sqrt,
  matmul, matmulNT, matmulTN, linear, transpose, reshape, broadcastTo,
  sum, mean, max,
  sigmoid, tanh, relu, leakyRelu, softmax, logSoftmax,
  crossEntropy, mse, cast, take,
  select, at, narrow, slice, indexSelect, gather, cat, stack, flatten, squeeze, unsqueeze,
  eq, ge, gt, le, lt, ne, sign, where, maximum, minimum, clamp, abs, square, log1p, expm1, erf,
  gelu, softplus, elu, min, argmax, argmin, logsumexp, std, variance,
} from './ops/index.ts';
export type { CreationOptions, NestedNumbers, RandomOptions, TensorData, TensorOptions } from './creation.ts';
export { arange, defaultRandom, full, manualSeed, ones, onesLike, randn, tensor, uniform, zeros, zerosLike } from './creation.ts';
export type { GradcheckInput, GradcheckOptions, GradcheckResult, GradcheckWorst } from './gradcheck.ts';
export { gradcheck } from './gradcheck.ts';
export type { GradientsOptions, GradOptions, TensorTree, TransformOptions } from './functional.ts';
export { grad, gradients, hvp, jvp, valueAndGrad, vjp } from './functional.ts';
export type { GradgradcheckEntry, GradgradcheckOptions, GradgradcheckResult } from './gradgradcheck.ts';
export { gradgradcheck } from './gradgradcheck.ts';
export type { LoadStateDictResult, SavedTensor, StateDict } from './state-dict.ts';
export { loadStateDict, parseStateDict, stateDict } from './state-dict.ts';
export type { SafetensorsFile, SafetensorsOptions, SaveSafetensorsOptions } from './safetensors.ts';
export { loadSafetensors, parseSafetensors, saveSafetensors } from './safetensors.ts';
export type { Batch, BatchOf, Column, DataLoaderOptions, NumericArray, ShapedArray } from './data/data-loader.ts';
export { DataLoader } from './data/data-loader.ts';
export { accuracy } from './metrics.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export type { CustomOpDefinition } from './custom-op.ts';
export { customOp } from './custom-op.ts';
