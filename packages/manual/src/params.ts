import type { Activation, ActivationName, DType, FloatArray } from '@tapegrad/autograd/kernels';
import { allocate, allocateResident, checkAllocation, checkSeed, formatValue, Random } from '@tapegrad/autograd/kernels';
import { checkSizes, paramBuffers, resolveActivations } from './network.ts';
import type { MLPParams, MLPParamsCopy } from './types.ts';

// Parameters live as flat row-major buffers, 1-based like the chapter: W[l] is sizes[l-1] × sizes[l], b[l] has
// sizes[l] entries, l = 1 … n. The public format is plain nested arrays, 0-based (layer 1 at index 0).

/** Zero-filled W[l], b[l] for l = 1 … n (index 0 unused: an empty buffer). */
export function allocateParams(sizes: readonly number[], dtype: DType): { W: FloatArray[]; b: FloatArray[] } {
  const n = sizes.length - 1;
  const W: FloatArray[] = [allocate(dtype, 0)];
  const b: FloatArray[] = [allocate(dtype, 0)];
  for (let l = 1; l <= n; l++) {
    W.push(allocateResident(dtype, sizes[l - 1] * sizes[l])); // in the kernels' memory where that pays, as nn.Linear's
    b.push(allocateResident(dtype, sizes[l]));
  }
  return { W, b };
}

/**
 * The one seeded initialisation of tapegrad's MLPs (ManualMLP's, and the bench's for every engine), drawn layer by
 * layer from `Random(seed)`, W^l row-major, then b^l when biasStd > 0:
 * W^l ~ N(0, 1) · sqrt(2 / in_l) (He) when layer l is followed by relu or leakyRelu,
 * W^l ~ N(0, 1) · sqrt(1 / in_l) (Xavier/LeCun) otherwise, the softmax output layer included;
 * b^l = 0 by default (no draws), else b^l ~ N(0, biasStd²).
 */
export function initParams(sizes: readonly number[], act: readonly Activation[], seed: number, W: FloatArray[], b: FloatArray[], biasStd = 0): void {
  const rng = new Random(seed);
  const n = sizes.length - 1;
  for (let l = 1; l <= n; l++) {
    const name = l < n ? act[l].name : 'softmax';
    const gain = name === 'relu' || name === 'leakyRelu' ? 2 : 1;
    const std = Math.sqrt(gain / sizes[l - 1]);
    const Wl = W[l];
    for (let i = 0; i < Wl.length; i++) Wl[i] = std * rng.normal();
    const bl = b[l];
    if (biasStd === 0) bl.fill(0);
    else for (let j = 0; j < bl.length; j++) bl[j] = biasStd * rng.normal();
  }
}

/**
 * initParams as nested arrays (W[l−1] is W^l as rows, b[l−1] is b^l), drawn in float64: the parameters a ManualMLP
 * of these sizes and activations would start from with this seed (biasStd 0), for handing to other engines.
 */
export function initialParams(
  sizes: readonly number[],
  activation: ActivationName | readonly ActivationName[],
  seed: number,
  options: { biasStd?: number } = {},
): MLPParamsCopy {
  const where = 'initialParams';
  const checked = checkSizes(where, sizes);
  checkSeed(where, seed);
  checkAllocation(where, 'float64', paramBuffers(checked));
  const { W, b } = allocateParams(checked, 'float64');
  initParams(checked, resolveActivations(where, activation, checked.length - 1), seed, W, b, options.biasStd ?? 0);
  return readParams(checked, W, b);
}

function valueError(where: string, path: string, l: number, v: unknown, dtype: DType): Error | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return new Error(`${where}: ${path} (layer ${l}) is ${formatValue(v)}; expected finite numbers`);
  }
  if (dtype === 'float32' && !Number.isFinite(Math.fround(v))) {
    return new Error(`${where}: ${path} (layer ${l}) is ${v}, which overflows float32; expected finite float32 values`);
  }
  return null;
}

/** Throws unless `params` holds one (sizes[l-1] × sizes[l]) W and one sizes[l] b per layer, all finite. */
export function checkParams(where: string, sizes: readonly number[], dtype: DType, params: MLPParams): void {
  const n = sizes.length - 1;
  if (typeof params !== 'object' || params === null || !Array.isArray(params.W) || !Array.isArray(params.b)) {
    throw new Error(`${where}: params must be { W: number[][][], b: number[][] }, one (in × out) W and one b per layer`);
  }
  const layers = (m: number) => `${m} ${m === 1 ? 'layer' : 'layers'}`;
  for (const [name, list] of [['W', params.W], ['b', params.b]] as const) {
    if (list.length !== n) {
      throw new Error(`${where}: params.${name} has ${layers(list.length)} but sizes [${sizes.join(', ')}] has ${layers(n)}; expected one per layer`);
    }
  }
  for (let i = 0; i < n; i++) {
    const l = i + 1;
    const [rows, cols] = [sizes[l - 1], sizes[l]];
    const expected = `expected [${rows}, ${cols}] (sizes[${i}] × sizes[${i + 1}])`;
    const Wi = params.W[i];
    if (!Array.isArray(Wi)) throw new Error(`${where}: W[${i}] (layer ${l}) is not a nested array; ${expected}`);
    const got = `[${Wi.length}, ${Array.isArray(Wi[0]) ? Wi[0].length : '?'}]`;
    if (Wi.length !== rows) throw new Error(`${where}: W[${i}] (layer ${l}) has shape ${got}; ${expected}`);
    for (let r = 0; r < rows; r++) {
      const row = Wi[r];
      if (!Array.isArray(row) || row.length !== cols) {
        const width = Array.isArray(row) ? `${row.length} columns` : 'no columns';
        throw new Error(`${where}: W[${i}] (layer ${l}) row ${r} has ${width}; ${expected}`);
      }
      for (let j = 0; j < cols; j++) {
        const err = valueError(where, `W[${i}][${r}][${j}]`, l, row[j], dtype);
        if (err) throw err;
      }
    }
    const bi = params.b[i];
    if (!Array.isArray(bi) || bi.length !== cols) {
      const got = Array.isArray(bi) ? `${bi.length} values` : 'no values';
      throw new Error(`${where}: b[${i}] (layer ${l}) has ${got}; expected ${cols} (sizes[${i + 1}])`);
    }
    for (let j = 0; j < cols; j++) {
      const err = valueError(where, `b[${i}][${j}]`, l, bi[j], dtype);
      if (err) throw err;
    }
  }
}

/** Copies checked nested `params` into the flat W[l], b[l]. */
export function writeParams(params: MLPParams, W: FloatArray[], b: FloatArray[]): void {
  for (let i = 0; i < params.W.length; i++) {
    const l = i + 1;
    const rows = params.W[i];
    const cols = params.b[i].length;
    for (let r = 0; r < rows.length; r++) for (let j = 0; j < cols; j++) W[l][r * cols + j] = rows[r][j];
    b[l].set(params.b[i]);
  }
}

/** Fresh nested copies of W[l], b[l], 0-based (layer 1 at index 0). */
export function readParams(sizes: readonly number[], W: readonly FloatArray[], b: readonly FloatArray[]): MLPParamsCopy {
  const out: MLPParamsCopy = { W: [], b: [] };
  for (let l = 1; l < sizes.length; l++) {
    const [rows, cols] = [sizes[l - 1], sizes[l]];
    out.W.push(Array.from({ length: rows }, (_, r) => Array.from(W[l].subarray(r * cols, (r + 1) * cols))));
    out.b.push(Array.from(b[l]));
  }
  return out;
}
