// Saving and restoring an optimizer, so that training resumes bit for bit (torch's optimizer.state_dict()).
// Parameters are referred to by their position across the groups (0, 1, … in paramGroups order), as in PyTorch;
// each group's options (lr, betas, … — whatever a scheduler has set) and every parameter's state (step counts and
// buffers, written with the exact number encoding of ../state-dict.ts) are saved. JSON.stringify() the result.

import type { DType, FloatArray } from '../kernels/index.ts';
import { allocate, checkDType, formatValue, shapeStr } from '../kernels/index.ts';
import { decode, encode } from '../state-dict.ts';
import type { Tensor } from '../tensor.ts';

/** A saved state buffer: its dtype and values. */
export interface SavedBuffer {
  dtype: DType;
  data: (number | string)[];
}

/** What optimizer.stateDict() returns and optimizer.loadStateDict() accepts. */
export interface OptimizerStateDict {
  format: 'tapegrad.optimizer';
  version: 1;
  /** The optimizer's class name (SGD, Adam, …): a state dict loads only into the same kind. */
  optimizer: string;
  /** Each group's options and the positions of its parameters. */
  paramGroups: { options: Record<string, unknown>; params: number[] }[];
  /** Per-parameter state by position: numbers (step counts) and buffers. Parameters never stepped are absent. */
  state: Record<string, Record<string, number | SavedBuffer>>;
}

type Groups = readonly ({ params: Tensor[] } & object)[];
type State = Map<Tensor, Record<string, FloatArray | number>>;

/** The optimizer's groups and state as a JSON-ready object (copies). */
export function saveOptimizer(name: string, groups: Groups, state: State): OptimizerStateDict {
  const out: OptimizerStateDict = { format: 'tapegrad.optimizer', version: 1, optimizer: name, paramGroups: [], state: {} };
  let first = 0; // the position of the group's first parameter
  for (const group of groups) {
    const { params, ...options } = group;
    out.paramGroups.push({ options: structuredClone(options) as Record<string, unknown>, params: params.map((_, i) => first + i) });
    for (const [i, p] of params.entries()) {
      const s = state.get(p);
      if (s === undefined) continue;
      const saved: Record<string, number | SavedBuffer> = {};
      for (const [key, v] of Object.entries(s)) {
        saved[key] = typeof v === 'number' ? v : { dtype: p.dtype, data: Array.from(v, encode) };
      }
      out.state[String(first + i)] = saved;
    }
    first += params.length;
  }
  return out;
}

/**
 * Restores `saved` (an OptimizerStateDict or its JSON text) into the groups and state in place. Everything is
 * checked first — the kind of optimizer, the number of groups and of parameters in each, every buffer's length
 * against its parameter, the options (by `checkOptions`) — so a failed load changes nothing.
 */
export function loadOptimizer(
  name: string,
  groups: Groups,
  state: State,
  saved: OptimizerStateDict | string,
  checkOptions: (options: Record<string, unknown>) => void,
): void {
  const where = `${name}.loadStateDict`;
  const sd = parse(where, saved);
  if (sd.optimizer !== name) throw new Error(`${where}: the state dict is of a ${sd.optimizer} optimizer; expected ${name}`);
  if (sd.paramGroups.length !== groups.length) {
    throw new Error(`${where}: the state dict has ${sd.paramGroups.length} parameter groups but the optimizer has ${groups.length}`);
  }
  const params = groups.flatMap((g) => g.params);
  sd.paramGroups.forEach((g, gi) => {
    if (!Array.isArray(g.params) || g.params.length !== groups[gi].params.length) {
      throw new Error(`${where}: group ${gi} has ${g.params?.length} parameters in the state dict but ${groups[gi].params.length} in the optimizer`);
    }
    checkOptions({ ...g.options });
  });
  const restored = new Map<Tensor, Record<string, FloatArray | number>>();
  for (const [key, entries] of Object.entries(sd.state)) {
    const p = params[Number(key)];
    if (p === undefined) throw new Error(`${where}: state for parameter ${key}, but the optimizer has ${params.length} parameters`);
    const s: Record<string, FloatArray | number> = {};
    for (const [field, v] of Object.entries(entries)) {
      if (typeof v === 'number') {
        s[field] = v;
        continue;
      }
      checkDType(`${where}: parameter ${key} "${field}"`, v?.dtype);
      if (!Array.isArray(v.data) || v.data.length !== p.size) {
        throw new Error(`${where}: parameter ${key} ${shapeStr(p.shape)} has a "${field}" buffer of ${v.data?.length} values; expected ${p.size}`);
      }
      const buffer = allocate(p.dtype, p.size);
      buffer.set(v.data.map((x, i) => decode(`parameter ${key} ${field}`, x, i, p.dtype, where)));
      s[field] = buffer;
    }
    restored.set(p, s);
  }
  sd.paramGroups.forEach((g, gi) => Object.assign(groups[gi], structuredClone(g.options)));
  state.clear();
  for (const [p, s] of restored) state.set(p, s);
}

function parse(where: string, saved: OptimizerStateDict | string): OptimizerStateDict {
  let v: unknown = saved;
  if (typeof saved === 'string') {
    try {
      v = JSON.parse(saved);
    } catch (e) {
      throw new Error(`${where}: the text is not valid JSON (${(e as Error).message})`);
    }
  }
  const sd = v as Partial<OptimizerStateDict> | null;
  if (sd === null || typeof sd !== 'object' || sd.format !== 'tapegrad.optimizer' || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
    throw new Error(`${where}: expected an object { format: 'tapegrad.optimizer', version: 1, optimizer, paramGroups, state } from optimizer.stateDict()`);
  }
  if (sd.version !== 1) throw new Error(`${where}: unsupported optimizer state dict version ${formatValue(sd.version)}; expected 1`);
  return sd as OptimizerStateDict;
}
