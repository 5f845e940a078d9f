// optim: SGD, Adam, AdamW, RMSprop and Adagrad with PyTorch's update rules, so trajectories can be compared step for
// step; their stateDict() for checkpoints; and lrScheduler, PyTorch's learning-rate schedules.
export type { OptimizerOptions, ParamGroup, Params, ZeroGradOptions } from './optimizer.ts';
export { Optimizer } from './optimizer.ts';
export type { SGDOptions } from './sgd.ts';
export { SGD } from './sgd.ts';
export type { AdamOptions } from './adam.ts';
export { Adam } from './adam.ts';
export { AdamW } from './adamw.ts';
export type { RMSpropOptions } from './rmsprop.ts';
export { RMSprop } from './rmsprop.ts';
export type { AdagradOptions } from './adagrad.ts';
export { Adagrad } from './adagrad.ts';
export type { OptimizerStateDict, SavedBuffer } from './state-dict.ts';
export * as lrScheduler from './lr-scheduler/index.ts';
