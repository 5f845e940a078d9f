// optim: SGD, Adam and AdamW with PyTorch's update rules, so trajectories can be compared step for step.
export type { ParamGroup, Params, ZeroGradOptions } from './optimizer.ts';
export { Optimizer } from './optimizer.ts';
export type { SGDOptions } from './sgd.ts';
export { SGD } from './sgd.ts';
export type { AdamOptions } from './adam.ts';
export { Adam } from './adam.ts';
export { AdamW } from './adamw.ts';
