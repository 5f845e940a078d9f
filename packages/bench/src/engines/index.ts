import type { DType } from '@tapegrad/autograd/kernels';
import type { Engine, EngineFactory, NetworkSpec } from '../engine.ts';
import { AutogradEngine } from './autograd.ts';
import { ManualEngine } from './manual.ts';

export { AutogradEngine } from './autograd.ts';
export { ManualEngine } from './manual.ts';

export const autogradEngine: EngineFactory = (spec: NetworkSpec, dtype: DType): Engine => new AutogradEngine(spec, dtype);
export const manualEngine: EngineFactory = (spec: NetworkSpec, dtype: DType): Engine => new ManualEngine(spec, dtype);
