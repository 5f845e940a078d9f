import type { Activation, ActivationName, DType, FloatArray } from '@tapegrad/autograd/kernels';
import { activationByName, checkDType, formatValue } from '@tapegrad/autograd/kernels';
import { sup } from './symbols.ts';

/**
 * The network as the chapter writes it, with 1-based layer numbers: layers l = 1 … n, layer n the softmax
 * output. Index 0 of the per-layer lists is unused (a^0 = x lives in the per-batch workspace).
 */
export interface Network {
  /** n, the number of layers with weights (hidden layers + the output layer). */
  readonly n: number;
  /** sizes[l] is the width of a^l: sizes[0] = d inputs, sizes[n] = k classes. */
  readonly sizes: readonly number[];
  readonly dtype: DType;
  /** W[l] (sizes[l-1] × sizes[l], row-major), l = 1 … n. */
  readonly W: FloatArray[];
  /** b[l] (sizes[l]), l = 1 … n. */
  readonly b: FloatArray[];
  /** act[l] for the hidden layers l = 1 … n−1; the output layer uses softmax. */
  readonly act: Activation[];
}

/** Checks `sizes`: at least [d, k], every width a positive integer. */
export function checkSizes(where: string, sizes: unknown): readonly number[] {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    const got = formatValue(sizes);
    throw new Error(`${where}: sizes is ${got}; expected at least [inputs, classes], e.g. [2, 2, 2, 3]`);
  }
  sizes.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 1) {
      throw new Error(`${where}: sizes[${i}] is ${formatValue(s)} in ${formatValue(sizes)}; expected positive integer layer widths`);
    }
  });
  return Object.freeze(sizes.slice());
}

/**
 * The shapes of W^l and b^l of every layer, named for kernels' checkAllocation ("W¹ (layer 1)", with `prefix` before
 * the name: "∂loss/∂W¹ (layer 1)"), which refuses buffers that cannot be made before any is allocated.
 */
export function paramBuffers(sizes: readonly number[], prefix = ''): Record<string, number[]> {
  const buffers: Record<string, number[]> = {};
  for (let l = 1; l < sizes.length; l++) {
    buffers[`${prefix}W${sup(l)} (layer ${l})`] = [sizes[l - 1], sizes[l]];
    buffers[`${prefix}b${sup(l)} (layer ${l})`] = [sizes[l]];
  }
  return buffers;
}

/**
 * The activation of each hidden layer, 1-based (act[l], l = 1 … n−1): one name for all of them, or a list with one
 * name per hidden layer. A network without hidden layers (softmax regression) takes any single name and ignores it.
 */
export function resolveActivations(where: string, activation: unknown, n: number): Activation[] {
  const hidden = n - 1;
  const act: Activation[] = [];
  if (Array.isArray(activation)) {
    if (activation.length !== hidden) {
      throw new Error(
        `${where}: activation lists ${activation.length} ${activation.length === 1 ? 'name' : 'names'} but sizes has ${hidden} hidden ${hidden === 1 ? 'layer' : 'layers'}; ` +
          `expected one name per hidden layer, or a single name for all`,
      );
    }
    activation.forEach((name, i) => {
      act[i + 1] = activationByName(String(name), `${where}: activation[${i}]`);
    });
  } else {
    if (typeof activation !== 'string') {
      throw new Error(`${where}: activation is ${formatValue(activation)}; expected a name such as 'sigmoid', or one per hidden layer`);
    }
    const a = activationByName(activation, where);
    for (let l = 1; l <= hidden; l++) act[l] = a;
  }
  return act;
}

/** The activation names of the hidden layers, 0-based (hidden layer 1 at index 0). */
export function activationNames(net: Network): ActivationName[] {
  return net.act.slice(1).map((a) => a.name);
}

/** Checks the dtype option (default float32). */
export function resolveDType(where: string, dtype: unknown): DType {
  return dtype === undefined ? 'float32' : checkDType(where, dtype);
}
