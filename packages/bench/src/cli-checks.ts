import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { mnistFiles } from './datasets/idx.ts';
import type { Workload } from './workloads.ts';
import { readsDataDir, WORKLOADS } from './workloads.ts';

// What the CLI checks before a run starts, so that a mistake in a flag costs seconds, not a whole run: every
// output file can be written, and --data is a directory with the MNIST files that some workload of the run reads.

/** Why `file` (given as `given` to `flag`) cannot be written, or null when it can. Creates nothing. */
export function outputProblem(flag: string, given: string, file: string): string | null {
  const at = `${flag} ${given}`;
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) return `${at}: ${file} is a directory; expected a file to write`;
    return writable(file) ? null : `${at}: ${file} is not writable`;
  }
  const dir = dirname(file);
  if (!existsSync(dir)) return `${at}: cannot write ${file}: the directory ${dir} does not exist`;
  if (!statSync(dir).isDirectory()) return `${at}: cannot write ${file}: ${dir} is not a directory`;
  return writable(dir) ? null : `${at}: cannot write ${file}: no permission to create files in ${dir}`;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first output flag whose file cannot be written, as a usage message; `files` maps each flag to [given, resolved]. */
export function outputsProblem(files: Readonly<Record<string, readonly [string, string] | undefined>>): string | null {
  for (const [flag, paths] of Object.entries(files)) {
    if (paths === undefined) continue;
    const problem = outputProblem(flag, paths[0], paths[1]);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * --data against the run: an error when the directory is missing or lacks the MNIST training files (found now,
 * not after the workloads before the first that reads them), a notice when no workload of the run reads it.
 */
export function dataDirCheck(dir: string | undefined, workloads: readonly Workload[]): { error?: string; notice?: string } {
  if (dir === undefined) return {};
  try {
    mnistFiles(dir);
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (workloads.some(readsDataDir)) return {};
  const readers = WORKLOADS.filter(readsDataDir).map((w) => w.name);
  return { notice: `--data ${dir} is not read by this run: its workloads (${workloads.map((w) => w.name).join(', ')}) make their own data; ${readers.join(' and ')} read it` };
}
