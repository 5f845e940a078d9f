// nn: modules for building models — Module, Linear, Sequential, activations, MLP — and their initialisers.
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
