// Saving and loading a module's tensors as JSON. Every float32 is exactly a float64, and JSON.stringify writes a
// float64 as the shortest decimal that parses back to the same value, so the numbers survive a round trip bit for
// bit in both dtypes. JSON has no NaN, ±Infinity or −0, so those are written as the strings "NaN", "Infinity",
// "-Infinity" and "-0". Loading refuses a number the tensor's dtype cannot hold (1e300 into float32) and a number
// JSON.parse turned into ±Infinity (1e400 in the text): neither was written by stateDict(), and either would land
// in the model as Infinity.

import type { DType, Shape } from './kernels/index.ts';
import { checkDType, formatValue, sameShape, shapeStr, sizeOf } from './kernels/index.ts';
import type { Module } from './nn/module.ts';
import { bumpVersion } from './tape/versions.ts';
import type { Tensor } from './tensor.ts';

/** A saved tensor: dtype, shape and its values in row-major order. */
export interface SavedTensor {
  dtype: DType;
  shape: number[];
  data: (number | string)[];
}

/** What stateDict() returns and loadStateDict() accepts: JSON.stringify() it to save. */
export interface StateDict {
  format: 'tapegrad.stateDict';
  version: 1;
  tensors: Record<string, SavedTensor>;
}

export interface LoadStateDictResult {
  /** Model tensors absent from the state dict (only with { strict: false }; strict loading throws). */
  missingKeys: string[];
  /** State-dict entries the model has no tensor for (only with { strict: false }). */
  unexpectedKeys: string[];
}

/** A number as JSON can hold it: NaN, ±Infinity and −0 as strings (also used by optimizer state dicts). */
export function encode(v: number): number | string {
  if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : v;
  return String(v); // 'NaN', 'Infinity', '-Infinity'
}

/** The largest finite float32, 2^128 − 2^104: a larger finite number rounds to Infinity (Math.fround). */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The inverse of encode, for a tensor of `dtype`; `name` and the flat index `i` locate a bad value in the error,
 * whose first word is `where` (loadStateDict, or the optimizer's).
 */
export function decode(name: string, v: unknown, i: number, dtype: DType = 'float64', where = 'loadStateDict'): number {
  const at = `${where}: "${name}" has ${formatValue(v)} at flat index ${i}`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw new Error(`${at}; expected a finite number, or the string ${formatValue(String(v))} for a non-finite value (a number beyond float64's range in JSON text reads as ±Infinity)`);
    }
    if (dtype === 'float32' && Math.abs(v) > FLOAT32_MAX && !Number.isFinite(Math.fround(v))) {
      throw new Error(`${at}, which overflows float32 (largest ${FLOAT32_MAX}); expected a value the tensor's dtype can hold`);
    }
    return v;
  }
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  throw new Error(`${at}; expected a number`);
}

/** The module's tensors (namedTensors(): parameters and buffers) by dotted name, copied into plain arrays. */
export function stateDict(module: Module): StateDict {
  const tensors: Record<string, SavedTensor> = {};
  for (const [name, t] of module.namedTensors()) {
    tensors[name] = { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data, encode) };
  }
  return { format: 'tapegrad.stateDict', version: 1, tensors };
}

/** A state dict from its JSON text (JSON.stringify(stateDict(model))), checked for form. */
export function parseStateDict(json: string): StateDict {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`loadStateDict: the text is not valid JSON (${(e as Error).message})`);
  }
  return checkStateDict(value);
}

function checkStateDict(value: unknown): StateDict {
  const v = value as Partial<StateDict> | null;
  if (v === null || typeof v !== 'object' || v.format !== 'tapegrad.stateDict' || typeof v.tensors !== 'object' || v.tensors === null) {
    throw new Error(`loadStateDict: expected an object { format: 'tapegrad.stateDict', version: 1, tensors: { name: { dtype, shape, data } } }`);
  }
  if (v.version !== 1) throw new Error(`loadStateDict: unsupported state dict version ${formatValue(v.version)}; expected 1`);
  for (const [name, t] of Object.entries(v.tensors)) {
    if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || !Array.isArray(t.data)) {
      throw new Error(`loadStateDict: entry "${name}" must be { dtype, shape: number[], data: number[] }`);
    }
    checkDType(`loadStateDict: entry "${name}"`, t.dtype);
    if (!t.shape.every((n) => Number.isInteger(n) && n >= 0) || sizeOf(t.shape) !== t.data.length) {
      throw new Error(`loadStateDict: entry "${name}" has shape ${formatValue(t.shape)} but ${t.data.length} values`);
    }
  }
  return v as StateDict;
}

/**
 * Copies `state` (a StateDict or its JSON text) into the module's tensors in place, converting the dtype if the
 * saved one differs. Everything is checked before anything is written, so a failed load leaves the model as it was.
 * Strict (the default): every model tensor must be present, no extra entries, and every shape must match.
 */
export function loadStateDict(module: Module, state: StateDict | string, options: { strict?: boolean } = {}): LoadStateDictResult {
  const { strict = true } = options;
  const saved = typeof state === 'string' ? parseStateDict(state) : checkStateDict(state);
  const model = new Map<string, Tensor>(module.namedTensors());
  const missingKeys = [...model.keys()].filter((name) => !Object.hasOwn(saved.tensors, name));
  const unexpectedKeys = Object.keys(saved.tensors).filter((name) => !model.has(name));
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    const parts: string[] = [];
    for (const name of missingKeys) parts.push(`missing "${name}" (the model's is ${describe(model.get(name)!.dtype, model.get(name)!.shape)})`);
    for (const name of unexpectedKeys) parts.push(`unexpected "${name}" (${describe(saved.tensors[name].dtype, saved.tensors[name].shape)})`);
    throw new Error(
      `loadStateDict: the state dict does not match the model: ${parts.join('; ')}. ` +
        `The model has ${[...model.keys()].join(', ') || 'no tensors'}; pass { strict: false } to load the matching entries only`,
    );
  }
  const writes: [Tensor, SavedTensor, string][] = [];
  for (const [name, t] of model) {
    const s = saved.tensors[name];
    if (s === undefined) continue;
    if (!sameShape(s.shape, t.shape)) {
      throw new Error(
        `loadStateDict: "${name}" has shape ${shapeStr(t.shape)} in the model but ${shapeStr(s.shape)} in the state dict; expected the same shape`,
      );
    }
    writes.push([t, s, name]);
  }
  const decoded = writes.map(([t, s, name]) => s.data.map((v, i) => decode(name, v, i, t.dtype)));
  // in place: optimizers hold these tensors; a graph recorded before the load can no longer be differentiated
  writes.forEach(([t], i) => {
    t.data.set(decoded[i]);
    bumpVersion(t);
  });
  return { missingKeys, unexpectedKeys };
}

function describe(dtype: DType, shape: Shape): string {
  return `${dtype} ${shapeStr(shape)}`;
}
