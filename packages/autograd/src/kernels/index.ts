// @tapegrad/autograd/kernels: plain numeric functions on flat row-major typed arrays. No Tensor, no tape:
// the manual engine computes with exactly these, so a speed gap between the engines measures the engine.
// What tests and benchmarks reach past this (the reference and wasm forms pinned, the kernel table, size
// thresholds, counters) is at @tapegrad/autograd/kernels/internal.
export type { DType, FloatArray } from './dtype.ts';
export { allocate, allocateUninitialized, bytesPerElement, checkAllocation, checkDType, dtypeOf, DTYPES } from './dtype.ts';
export { allocateBeside, allocateResident, isResident } from './wasm/resident.ts';
export { formatValue } from './format.ts';
export type { Shape } from './shape.ts';
export {
  broadcastShapes,
  checkShape,
  normalizeAxes,
  normalizeAxis,
  reducedShape,
  sameShape,
  shapeStr,
  sizeOf,
  stridesOf,
} from './shape.ts';
export {
  matmul,
  matmulBias,
  matmulBiasAct,
  matmulNT,
  matmulTN,
} from './matmul.ts';
export type { KernelBackend } from './backend.ts';
export {
  backendAvailable,
  backendUnavailableReason,
  getBackend,
  getKernelThreads,
  KERNEL_BACKENDS,
  kernelThreadsReady,
  setBackend,
  setKernelThreads,
  wasmFusedMultiplyAdd,
} from './backend.ts';
export { nativeCore } from './native/kernels.ts';
export type { InitializedKernels, InitKernelsOptions, KernelFile, KernelFiles, KernelSource } from './init.ts';
export { initKernels } from './init.ts';
export type { BinaryKernel, UnaryKernel } from './elementwise.ts';
export { add, addRow, allFinite, axpy, div, exp, firstNonFinite, hadamard, log, mul, neg, pow, scale, sqrt, sub, subtract } from './elementwise.ts';
export { countCorrect, maxAxes, sumAll, sumAxes, sumRows, sumSquaredDiff, sumToShape } from './reduce.ts';
export type { NumericArray } from './layout.ts';
export { checkIndex, gatherRows, scatterAdd, take, transpose2d } from './layout.ts';
export type { Activation, ActivationName, FusedActivation } from './activations.ts';
export {
  ACTIVATION_NAMES,
  activationByName,
  identity,
  isFusedActivation,
  LEAKY_SLOPE,
  leakyRelu,
  leakyReluWith,
  sigmoidGradFromOutput,
  stepGrad,
  tanhGradFromOutput,
  relu,
  sigmoid,
  sigmoidScalar,
  tanh,
} from './activations.ts';
export {
  axisView,
  checkLabels,
  checkProbabilityRow,
  crossEntropyIndices,
  crossEntropyIndicesGrad,
  crossEntropyTargets,
  logSoftmax,
  oneHot,
  PROBABILITY_SUM_TOLERANCE,
  softmax,
  softmaxRows,
} from './softmax.ts';
export type { AdamHyper, AdamScalars, RmspropScalars, SgdScalars } from './optimizers.ts';
export { adagradUpdate, adamScalars, adamUpdate, rmspropUpdate, sgdUpdate } from './optimizers.ts';
export { checkSeed, MAX_SEED, Random } from './random.ts';
export { arithmeticPositions, axisPositions, gatherPositions, put } from './indexing.ts';
export {
  aboveMask,
  abs,
  broadcastIndex,
  clamp,
  equal,
  greater,
  greaterEqual,
  greaterShare,
  insideMask,
  less,
  lessEqual,
  maximum,
  minimum,
  notEqual,
  sign,
  where,
} from './compare.ts';
export { elu, erf, erfScalar, expm1, GELU_TANH_BETA, GELU_TANH_KAPPA, gelu, geluTanh, log1p, softplus, square } from './special.ts';
export { logSumExpAxes, minAxes, positionsAlongAxis, reductionIndex, varianceAxes } from './statistics.ts';
