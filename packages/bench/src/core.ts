// @tapegrad/bench/core: the part of the bench that runs anywhere, a browser page included (no node: module, no
// benchmark.js, no peers): the two engines behind one interface, their symbol-by-symbol comparison and ulp distance,
// the seeded starting parameters, the data sets made from a seed and the batches cut from them, lockstep training.
// The package's main entry ('@tapegrad/bench') lists these too, beside what needs Node.
export type { Engine, EngineFactory, FlatParams, LayerSymbols, Matrix, NetworkSpec, Params, Symbols } from './engine.ts';
export { batchX, flattenParams, hiddenActivations, toParams, toRows } from './engine.ts';
export { AutogradEngine, autogradEngine, ManualEngine, manualEngine } from './engines/index.ts';
export { BIAS_STD, initParams } from './init.ts';
export { orderedFloat32, orderedFloat64, ulpDistance, ulpsFloat32, ulpsFloat64 } from './ulps.ts';
export type { ArrayDiff, Compared, Divergence, EqualityReport, SymbolDiff, SymbolName, Tolerance } from './compare.ts';
export { compareParams, compareSymbols, describeDivergence, diffArrays, maxAbsOf, mergeReports, symbolText, TOLERANCES } from './compare.ts';
export type { Batch, Dataset } from './datasets/dataset.ts';
export { checkDataset, gather, headOf, makeBatches } from './datasets/dataset.ts';
export { chapterDataset } from './datasets/chapter.ts';
export type { SpiralOptions } from './datasets/spiral.ts';
export { spiralDataset } from './datasets/spiral.ts';
export type { LockstepOptions, LockstepResult } from './lockstep.ts';
export { lockstep } from './lockstep.ts';
