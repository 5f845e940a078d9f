import type { DType } from '@tapegrad/autograd';
import type { ActivationName } from '@tapegrad/autograd/kernels';
import type { Batch, Dataset, Engine } from '@tapegrad/bench/core';
import { AutogradEngine, compareParams, compareSymbols, initParams, makeBatches, ManualEngine, spiralDataset, toParams } from '@tapegrad/bench/core';
import { ManualMLP } from '@tapegrad/manual';

// Lockstep training of the spiral with both engines, one step at a time, as the bench's lockstep() does it: both
// start from the same seeded parameters and take the same SGD steps on the same batches, and before every step the
// gradients are compared at identical parameters (a probe autograd engine loaded with the manual engine's current
// parameters), symbol by symbol, with the bench's compareSymbols. Only the two step() calls are timed. No DOM here:
// the page's worker drives it, and so do the tests and the Node side of the step-time measurement.

export interface TrainConfig {
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  readonly dtype: DType;
  readonly lr: number;
  readonly batch: number;
  readonly seed: number;
  /** Spiral points per class. */
  readonly perClass: number;
}

/** The spiral of the bench's `spiral` workload: 2-64-64-3 ReLU, batches of 256, SGD at 0.5, seed 2. */
export const SPIRAL: TrainConfig = Object.freeze({ sizes: [2, 64, 64, 3], activation: 'relu', dtype: 'float32', lr: 0.5, batch: 256, seed: 2, perClass: 512 });

/** What one lockstep step gives. */
export interface StepRecord {
  /** 1-based. */
  readonly step: number;
  /** Each engine's loss before its update, on its own trajectory. */
  readonly lossManual: number;
  readonly lossAutograd: number;
  /** The gradients (δ^l, ∂loss/∂W^l, ∂loss/∂b^l, the loss) at identical parameters: every entry within the bench's tolerance. */
  readonly pass: boolean;
  /** … and every entry equal. */
  readonly exact: boolean;
  readonly maxUlps: number;
  readonly maxRel: number;
  /** Milliseconds of each engine's step() (forward, backward, SGD update). */
  readonly msManual: number;
  readonly msAutograd: number;
}

/** The class the manual network gives each point of a grid, with its probability. */
export interface Boundary {
  readonly size: number;
  /** The square [−extent, extent]² the grid covers. */
  readonly extent: number;
  /** size × size, row 0 at y = +extent (the raster's top). */
  readonly classes: Uint8Array;
  readonly confidence: Float32Array;
}

/** Checks a configuration the way the page's form may send it, with errors that name the field. */
export function checkConfig(c: TrainConfig): TrainConfig {
  if (c.sizes.length < 2 || c.sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`sizes ${c.sizes.join('-')}: expected positive integers, e.g. 2-64-64-3`);
  if (c.sizes[0] !== 2) throw new Error(`sizes ${c.sizes.join('-')}: the spiral has 2 inputs, so the first size must be 2`);
  if (c.sizes[c.sizes.length - 1] !== 3) throw new Error(`sizes ${c.sizes.join('-')}: the spiral has 3 classes, so the last size must be 3`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new Error(`learning rate ${c.lr}: expected a positive number`);
  if (!Number.isInteger(c.batch) || c.batch < 1 || c.batch > 3 * c.perClass) throw new Error(`batch size ${c.batch}: expected an integer from 1 to ${3 * c.perClass}`);
  if (!Number.isInteger(c.seed) || c.seed < 0) throw new Error(`seed ${c.seed}: expected a non-negative integer`);
  return c;
}

export class LockstepTrainer {
  config: TrainConfig;
  readonly data: Dataset;
  readonly manual: Engine;
  readonly autograd: Engine;
  /** A second autograd engine, loaded with the manual engine's parameters before each comparison. */
  private readonly probe: Engine;
  private readonly batches: Batch[];
  /** The manual engine's parameters loaded into a ManualMLP of our own, to read its output on a grid. */
  private readonly viewer: ManualMLP;
  private t = 0;

  constructor(config: TrainConfig) {
    this.config = checkConfig(config);
    const { sizes, activation, dtype, batch, seed, perClass } = config;
    this.data = spiralDataset({ perClass, seed });
    // 64 seeded batches, cycled: about 10 epochs of distinct shuffles at the default batch size
    this.batches = makeBatches(this.data, batch, 64, seed);
    const spec = { sizes, activation };
    this.manual = new ManualEngine(spec, dtype);
    this.autograd = new AutogradEngine(spec, dtype);
    this.probe = new AutogradEngine(spec, dtype);
    const start = initParams(sizes, activation, seed);
    this.manual.setParams(start);
    this.autograd.setParams(start);
    this.viewer = new ManualMLP({ sizes, activation, dtype, params: start });
  }

  /** The learning rate of the next steps (the engines keep their parameters). */
  setLearningRate(lr: number): void {
    this.config = checkConfig({ ...this.config, lr });
  }

  get steps(): number {
    return this.t;
  }

  /** One lockstep step: compare the gradients at the manual engine's parameters, then step both engines. */
  step(): StepRecord {
    const { lr, dtype } = this.config;
    const batch = this.batches[this.t % this.batches.length];
    const reference = this.manual.getParams();
    this.probe.setParams(toParams(reference));
    const report = compareSymbols(
      { name: 'autograd', symbols: this.probe.symbols(batch), params: this.probe.getParams() },
      { name: 'manual', symbols: this.manual.symbols(batch), params: reference },
      dtype,
    );
    let t0 = performance.now();
    const lossAutograd = this.autograd.step(batch, lr);
    const msAutograd = performance.now() - t0;
    t0 = performance.now();
    const lossManual = this.manual.step(batch, lr);
    const msManual = performance.now() - t0;
    this.t++;
    return { step: this.t, lossManual, lossAutograd, pass: report.pass, exact: report.exact, maxUlps: report.maxUlps, maxRel: report.maxRel, msManual, msAutograd };
  }

  /** How far the two trajectories' parameters are apart: 0 ulps while they train bit for bit alike. */
  drift(): { exact: boolean; maxUlps: number; maxRel: number } {
    const r = compareParams(this.autograd.getParams(), this.manual.getParams(), ['autograd', 'manual'], this.config.dtype);
    return { exact: r.exact, maxUlps: r.maxUlps, maxRel: r.maxRel };
  }

  /** The manual network's class and probability on a size × size grid over [−extent, extent]². */
  boundary(size: number, extent: number): Boundary {
    this.viewer.setParams(toParams(this.manual.getParams()));
    const x = new Float64Array(size * size * 2);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const i = r * size + c;
        x[2 * i] = -extent + ((c + 0.5) * 2 * extent) / size;
        x[2 * i + 1] = extent - ((r + 0.5) * 2 * extent) / size;
      }
    }
    const { classes, confidence } = argmaxRows(this.viewer.forward({ data: x, shape: [size * size, 2] }).data, size * size, 3);
    return { size, extent, classes, confidence };
  }

  /** The share of the spiral's points the manual network classifies right. */
  accuracy(): number {
    this.viewer.setParams(toParams(this.manual.getParams()));
    const { classes } = argmaxRows(this.viewer.forward({ data: this.data.x, shape: [this.data.count, 2] }).data, this.data.count, 3);
    let right = 0;
    for (let i = 0; i < this.data.count; i++) if (classes[i] === this.data.labels[i]) right++;
    return right / this.data.count;
  }
}

function argmaxRows(p: ArrayLike<number>, rows: number, k: number): { classes: Uint8Array; confidence: Float32Array } {
  const classes = new Uint8Array(rows);
  const confidence = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[r * k + j] > p[r * k + best]) best = j;
    classes[r] = best;
    confidence[r] = p[r * k + best];
  }
  return { classes, confidence };
}
