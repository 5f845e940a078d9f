import type { DType } from '@tapegrad/autograd/kernels';
import type { EngineFactory } from './engine.ts';
import { loadEngineModule } from './engine-module.ts';
import { manualEngine } from './engines/index.ts';
import { jsonReport, summaryTable } from './report.ts';
import type { ProgressSink, RunOptions, WorkloadResult } from './run.ts';
import { runWorkload } from './run.ts';
import { UserEngineAdapter } from './user-engine.ts';
import type { Workload } from './workloads.ts';

// `--engine FILE` in a run: the user's engine goes through the same workload run as autograd (finite differences,
// lockstep against the manual engine, speed when it can be timed), and its results are reported beside autograd's.

export interface UserEngineRun {
  /** The engine's name (its own, else the file's). */
  name: string;
  readonly file: string;
  readonly factory: EngineFactory;
  /** Whether it has its own step() (else lockstep applies SGD to its gradients) and forward()/backward(). */
  steps: boolean;
  timed: boolean;
  readonly results: WorkloadResult[];
}

/** The engine of the module at `file` (absolute), ready to run; throws EngineModuleError for a usage error. */
export async function loadUserEngine(file: string): Promise<UserEngineRun> {
  const { factory, name } = await loadEngineModule(file);
  return { name, file, factory, steps: true, timed: true, results: [] };
}

/**
 * Runs the user's engine against the manual one on `w` in `dtype`, reporting progress to `progress(its name)`; the
 * result is kept in `user.results`.
 */
export async function runUserEngine(
  user: UserEngineRun,
  w: Workload,
  dtype: DType,
  options: Omit<RunOptions, 'progress'>,
  progress?: (name: string) => ProgressSink,
): Promise<WorkloadResult> {
  const probe = user.factory({ sizes: w.sizes, activation: w.activation }, dtype);
  if (probe instanceof UserEngineAdapter) {
    user.name = probe.name;
    user.steps = probe.steps;
    user.timed = probe.timed;
  }
  const speed = options.speed !== false && user.timed;
  const r = await runWorkload(w, dtype, { ...options, candidate: user.factory, reference: manualEngine, speed, progress: progress?.(user.name) });
  const out = speed || options.speed === false ? r : { ...r, speedNote: `no speed figure: ${user.name} has no forward() and backward() to time` };
  user.results.push(out);
  return out;
}

/** The user's engine's summary table, with what it could not be put through. */
export function userEngineSummary(user: UserEngineRun): string {
  const notes = [
    ...(user.steps ? [] : [`${user.name} has no step(): its lockstep runs applied SGD to its gradients`]),
    ...(user.timed ? [] : [`${user.name} has no forward() and backward(): not timed`]),
  ];
  return [`${user.name} (${user.file}) against the manual engine:`, summaryTable(user.results), ...notes].join('\n');
}

/** The user's engine's results for the JSON report: as autograd's, with its step time as `speed.engineMs`. */
export function userEngineJson(user: UserEngineRun): unknown {
  const { workloads } = jsonReport(user.results) as { workloads: Record<string, unknown>[] };
  return {
    name: user.name,
    file: user.file,
    workloads: workloads.map((w) => {
      const speed = w.speed as { autogradMs: number } | null;
      if (speed === null) return w;
      const { autogradMs, ...rest } = speed;
      return { ...w, speed: { engineMs: autogradMs, ...rest } };
    }),
  };
}
