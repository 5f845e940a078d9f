import type { Workload } from '../workloads.ts';
import { chapterDataset } from './chapter.ts';
import type { Dataset } from './dataset.ts';
import { checkDataset } from './dataset.ts';
import { loadMnist } from './idx.ts';
import { normalDataset } from './normal.ts';
import { spiralDataset } from './spiral.ts';
import { syntheticDataset } from './synthetic.ts';

export interface LoadOptions {
  /** A directory of MNIST IDX files, for the 'mnist' workloads; synthetic data when absent. */
  readonly dataDir?: string;
  /** At least this many samples (MNIST and synthetic sets are cut or generated to this size). */
  readonly samples?: number;
}

/** The data a workload trains on, checked against its network's input and output widths. */
export function loadDataset(w: Workload, options: LoadOptions = {}): Dataset {
  const samples = Math.max(options.samples ?? 0, 4 * w.batch);
  let ds: Dataset;
  if (w.data === 'chapter') ds = chapterDataset();
  else if (w.data === 'normal') ds = normalDataset({ count: samples, features: w.sizes[0], classes: w.sizes[w.sizes.length - 1], seed: w.seed });
  else if (w.data === 'spiral') ds = spiralDataset({ perClass: Math.ceil(Math.max(samples, 1536) / 3), seed: w.seed });
  else if (options.dataDir !== undefined) ds = loadMnist(options.dataDir, { limit: samples });
  else ds = syntheticDataset({ count: samples, features: w.sizes[0], classes: w.sizes[w.sizes.length - 1], seed: w.seed });
  checkDataset(ds);
  const d = w.sizes[0];
  const k = w.sizes[w.sizes.length - 1];
  if (ds.features !== d) throw new Error(`${w.name}: ${ds.name} samples have ${ds.features} features but the network takes ${d}`);
  if (ds.classes > k) throw new Error(`${w.name}: ${ds.name} has ${ds.classes} classes but the network has ${k} outputs`);
  return ds;
}
