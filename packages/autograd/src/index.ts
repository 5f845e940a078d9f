// @tapegrad/autograd: the public surface. Kernels are exported separately at '@tapegrad/autograd/kernels'.
export type { DType, FloatArray, Shape } from './kernels/index.ts';
export { Random } from './kernels/index.ts';
export type { NestedArray, TensorLike } from './tensor.ts';
export { Tensor } from './tensor.ts';
export type { BackwardOptions, BackwardRule, Node, OpResult } from './tape.ts';
export { backward, defineOp } from './tape.ts';
export { detectAnomaly, enableGrad, isAnomalyEnabled, isGradEnabled, noGrad, withAnomalyDetection } from './grad-mode.ts';
export * from './ops/index.ts';
export * from './creation.ts';
export * from './gradcheck.ts';
export type { GradientsOptions, GradOptions, TensorTree, TransformOptions } from './functional.ts';
export { grad, gradients, hvp, jvp, valueAndGrad, vjp } from './functional.ts';
export type { GradgradcheckEntry, GradgradcheckOptions, GradgradcheckResult } from './gradgradcheck.ts';
export { gradgradcheck } from './gradgradcheck.ts';
export type { LoadStateDictResult, SavedTensor, StateDict } from './state-dict.ts';
export { loadStateDict, parseStateDict, stateDict } from './state-dict.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
