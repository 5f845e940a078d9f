// nn: modules for building models — Module, Linear, Sequential, activations, MLP, Dropout, normalisation layers,
// Embedding — their initialisers, and utils (gradient clipping, parameter counting).
export { Module } from './module.ts';
export type { LinearInit, LinearOptions } from './linear.ts';
export { Linear } from './linear.ts';
export { Sequential } from './sequential.ts';
export type { ActivationName } from '../kernels/index.ts';
export { activation, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from './activations.ts';
export type { MLPOptions } from './mlp.ts';
export { MLP } from './mlp.ts';
export * as init from './init.ts';
export type { InitOptions, KaimingOptions, Nonlinearity } from './init.ts';
export type { DropoutOptions } from './dropout.ts';
export { Dropout } from './dropout.ts';
export type { LayerNormOptions } from './layer-norm.ts';
export { LayerNorm } from './layer-norm.ts';
export type { BatchNormOptions } from './batch-norm.ts';
export { BatchNorm1d } from './batch-norm.ts';
export type { EmbeddingOptions } from './embedding.ts';
export { Embedding } from './embedding.ts';
export * as utils from './utils.ts';
export type { ClipGradNormOptions, CountParametersOptions, Parameters } from './utils.ts';
