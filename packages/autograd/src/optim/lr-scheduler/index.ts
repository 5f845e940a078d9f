// optim.lrScheduler: PyTorch's learning-rate schedules (torch.optim.lr_scheduler), stepped the same way.
export type { SchedulableOptimizer, SchedulerState } from './scheduler.ts';
export { LRScheduler } from './scheduler.ts';
export type { CosineAnnealingLROptions, LinearLROptions, StepLROptions } from './schedules.ts';
export { CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, StepLR } from './schedules.ts';
export type { OneCycleLROptions } from './one-cycle-lr.ts';
export { OneCycleLR } from './one-cycle-lr.ts';
export type { PlateauState, ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.ts';
export { ReduceLROnPlateau } from './reduce-lr-on-plateau.ts';
