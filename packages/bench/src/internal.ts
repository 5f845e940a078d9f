// @tapegrad/bench/internal: what the bench's own scripts and tests use beyond its public surface (./index.ts): the
// IDX writer and its magic numbers, and the OpenBLAS step's compiler, problem files and runner (pnpm bench:openblas).
export { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './datasets/idx.ts';
export type { OpenblasAddon, OpenblasProblem, OpenblasRun } from './openblas.ts';
export {
  compileOpenblasStep, cpuFlags, encodeProblem, loadOpenblasAddon, nodeIncludeDir, OPENBLAS_SOURCES, openblasCoreFor, runOpenblasStep, writeProblemFile,
} from './openblas.ts';
export type { FuzzCase, FuzzLimits, FuzzOutcome } from './fuzz.ts';
export { describeCase, fuzzCase, runFuzzCase } from './fuzz.ts';
