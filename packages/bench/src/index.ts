// @tapegrad/bench: the autograd engine and the manual engine side by side. Gradients proven equal, then timed.
// What this package's own scripts and tests use beyond this (the IDX writer, the OpenBLAS step's build) is at
// '@tapegrad/bench/internal'.
export type { DataSource, Workload, WorkloadName } from './workloads.ts';
export { sizesLabel, WORKLOAD_NAMES, WORKLOADS, workloadByName } from './workloads.ts';
export type { Batch, Dataset } from './datasets/dataset.ts';
export { checkDataset, gather, headOf, makeBatches } from './datasets/dataset.ts';
export { chapterDataset } from './datasets/chapter.ts';
export type { SpiralOptions } from './datasets/spiral.ts';
export { spiralDataset } from './datasets/spiral.ts';
export type { SyntheticOptions } from './datasets/synthetic.ts';
export { syntheticDataset } from './datasets/synthetic.ts';
export type { IdxArray, MnistOptions } from './datasets/idx.ts';
export { loadMnist, mnistDataset, mnistFileNames, parseIdx, readIdxImages, readIdxLabels } from './datasets/idx.ts';
export type { LoadOptions } from './datasets/load.ts';
export { loadDataset } from './datasets/load.ts';
export type { Engine, EngineFactory, FlatParams, LayerSymbols, Matrix, NetworkSpec, Params, Symbols } from './engine.ts';
export { batchX, flattenParams, hiddenActivations, toParams, toRows } from './engine.ts';
export { AutogradEngine, autogradEngine, ManualEngine, manualEngine } from './engines/index.ts';
export { initParams } from './init.ts';
export { orderedFloat32, orderedFloat64, ulpDistance, ulpsFloat32, ulpsFloat64 } from './ulps.ts';
export type { ArrayDiff, Compared, Divergence, EqualityReport, SymbolDiff, SymbolName, Tolerance } from './compare.ts';
export { compareParams, compareSymbols, describeDivergence, diffArrays, maxAbsOf, mergeReports, symbolText, TOLERANCES } from './compare.ts';
export type { FdEngineGrads, FdOptions, FdReport, FdSample, FdStatus } from './finite-diff.ts';
export { DEFAULT_FD_TOLERANCE, finiteDifferences } from './finite-diff.ts';
export type { LockstepOptions, LockstepResult } from './lockstep.ts';
export { lockstep } from './lockstep.ts';
export type { Phase, SpeedFigure, SpeedOptions, SpeedPlan } from './speed.ts';
export { headline, measureSpeed, PHASES, planSpeed, ROUNDS, runBenchmark, summarize, warmUp } from './speed.ts';
export type { EqualitySummary, ProgressSink, RunOptions, SpeedSummary, WorkloadResult } from './run.ts';
export { runWorkload } from './run.ts';
export { detailText, jsonReport, markdownReport, summaryCaption, summaryTable } from './report.ts';
export type { KernelBackend } from './kernel-backend.ts';
export { backendLabel, checkBackend, KERNEL_BACKENDS, onBackend, withBackend } from './kernel-backend.ts';
export type { MemoryFigures } from './memory.ts';
export { RssSampler } from './memory.ts';
export type { Peer, PeerGradients, PeerName, PeerResult, PeerRunContext, PeerSession, StartedPeer } from './peers/index.ts';
export { PEER_NAMES, runPeers, startPeers } from './peers/index.ts';

// ---- checking your own backprop: gradients in plain arrays, a matcher, an engine interface for the CLI ----
export type { CheckOptions, GradientReport, ReferenceName } from './check/check-gradients.ts';
export { checkGradients } from './check/check-gradients.ts';
export type { GradientProblem, NetworkDescription, UserBatch } from './check/problem.ts';
export { gradientProblem } from './check/problem.ts';
export type { UserArray, UserGradients } from './check/user-gradients.ts';
export { formatGradientReport } from './check/report-text.ts';
export type { MatcherResult } from './check/matchers.ts';
export { gradientMatchers } from './check/matchers.ts';
export type { UserEngine, UserEngineFactory, UserNetwork, UserParams, UserStep } from './user-engine.ts';
export { UserEngineAdapter, userEngineFactory } from './user-engine.ts';
export { EngineModuleError, loadEngineModule } from './engine-module.ts';
export { networkWorkload } from './workloads.ts';
export { junitReport } from './junit.ts';
