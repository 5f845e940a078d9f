// Saving and loading tensors in the safetensors format (https://github.com/huggingface/safetensors), which
// PyTorch, JAX, TensorFlow and others read:
//   8 bytes: N, the header length (unsigned 64-bit, little-endian)
//   N bytes: a JSON object { name: { dtype: "F32" | "F64" | …, shape: [...], data_offsets: [begin, end] }, …,
//            "__metadata__"?: { string: string } }, padded with spaces to a multiple of 8 bytes
//   the rest: every tensor's values, row-major, little-endian, at [begin, end) counted from the end of the header;
//             the tensors tile this buffer exactly (no holes, no overlaps).
// tapegrad tensors are F32 (float32) or F64 (float64); other dtypes are refused by name.
//
// Names and the weight convention. By default tensors are stored under the names and in the layout stateDict()
// uses (a Linear's W is in × out). With { convention: 'torch' } a model is written the way torch.nn names and lays
// out the same model — a Linear's W becomes `<layer>.weight` transposed to out × in (torch.nn.Linear stores
// z = x Wᵀ + b), b becomes `<layer>.bias`, other fields go snake_case (runningMean → running_mean), and each
// BatchNorm1d gets the int64 `num_batches_tracked` PyTorch keeps — so `torch.nn.Module.load_state_dict` takes the
// file as is when the torch model's attributes carry the same names (e.g. a ModuleList called `layers`), and
// loadSafetensors(model, bytes, { convention: 'torch' }) reads a file torch wrote for such a model.

import type { DType, FloatArray, Shape } from './kernels/index.ts';
import { allocate, formatValue, sameShape, shapeStr, sizeOf } from './kernels/index.ts';
import { BatchNorm1d } from './nn/batch-norm.ts';
import { Linear } from './nn/linear.ts';
import { Module } from './nn/module.ts';
import type { LoadStateDictResult, StateDict } from './state-dict.ts';
import { encode, loadStateDict } from './state-dict.ts';
import { Tensor } from './tensor.ts';

export interface SafetensorsOptions {
  /** 'tapegrad' (default): stateDict() names, W in × out; 'torch': torch.nn names and layouts (see above). */
  convention?: 'tapegrad' | 'torch';
}

export interface SaveSafetensorsOptions extends SafetensorsOptions {
  /** String pairs stored in the header's __metadata__. */
  metadata?: Record<string, string>;
}

/** A parsed file: its tensors by name (in file order) and its metadata. */
export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const DTYPES: Record<DType, { code: string; bytes: number }> = { float32: { code: 'F32', bytes: 4 }, float64: { code: 'F64', bytes: 8 } };
/** Every dtype the format defines, with its element size, so that a file with any of them can be checked. */
const ITEM_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const NUM_BATCHES = 'num_batches_tracked';

/** One entry to write: a name, a dtype code, a shape and a writer of its values at a byte offset. */
interface Entry {
  name: string;
  dtype: string;
  shape: Shape;
  bytes: number;
  write(view: DataView, at: number): void;
}

function floatEntry(name: string, t: Tensor, transpose: boolean): Entry {
  const { code, bytes } = DTYPES[t.dtype];
  const data = transpose ? transposed(t.data, t.shape) : t.data;
  const shape = transpose ? [t.shape[1], t.shape[0]] : [...t.shape];
  return {
    name,
    dtype: code,
    shape,
    bytes: data.length * bytes,
    write(view, at) {
      if (bytes === 4) for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
      else for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i], true);
    },
  };
}

function int64Entry(name: string, value: number): Entry {
  return { name, dtype: 'I64', shape: [], bytes: 8, write: (view, at) => view.setBigInt64(at, BigInt(value), true) };
}

/** The values of a 2-D [r, c] buffer laid out as [c, r]. */
function transposed(data: FloatArray, shape: Shape): FloatArray {
  const [r, c] = shape;
  const out = allocate(data instanceof Float64Array ? 'float64' : 'float32', data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j];
  return out;
}

/** snake_case of a camelCase field name. */
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** For a module: [file name, tensor, transposed?] of each tensor in the chosen convention. */
function namesOf(module: Module, convention: 'tapegrad' | 'torch'): [string, Tensor, boolean][] {
  const tensors = module.namedTensors();
  if (convention === 'tapegrad') return tensors.map(([name, t]) => [name, t, false]);
  const modules = new Map(module.namedModules());
  return tensors.map(([name, t]) => {
    const cut = name.lastIndexOf('.');
    const [prefix, field] = cut < 0 ? ['', name] : [name.slice(0, cut), name.slice(cut + 1)];
    const owner = modules.get(prefix);
    const join = (f: string) => (prefix === '' ? f : `${prefix}.${f}`);
    if (owner instanceof Linear && field === 'W') return [join('weight'), t, true];
    if (owner instanceof Linear && field === 'b') return [join('bias'), t, false];
    return [cut < 0 ? snake(name) : join(snake(field)), t, false];
  });
}

/** The safetensors bytes of a module's tensors (all of namedTensors(): parameters and buffers) or of named tensors. */
export function saveSafetensors(source: Module | Record<string, Tensor>, options: SaveSafetensorsOptions = {}): Uint8Array {
  const convention = checkConvention('saveSafetensors', options.convention);
  const entries: Entry[] = [];
  if (source instanceof Module) {
    for (const [name, t, transpose] of namesOf(source, convention)) entries.push(floatEntry(name, t, transpose));
    if (convention === 'torch') {
      for (const [prefix, m] of source.namedModules()) {
        if (m instanceof BatchNorm1d && m.runningMean !== null) entries.push(int64Entry(prefix === '' ? NUM_BATCHES : `${prefix}.${NUM_BATCHES}`, m.numBatchesTracked));
      }
    }
  } else {
    if (convention !== 'tapegrad') throw new Error(`saveSafetensors: { convention: 'torch' } needs a Module (to know which tensors are Linear weights), got named tensors`);
    for (const [name, t] of Object.entries(source)) {
      if (!(t instanceof Tensor)) throw new Error(`saveSafetensors: "${name}" is not a Tensor (got ${t === null ? 'null' : typeof t})`);
      entries.push(floatEntry(name, t, false));
    }
  }
  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) {
    for (const [k, v] of Object.entries(options.metadata)) {
      if (typeof v !== 'string') throw new Error(`saveSafetensors: metadata "${k}" is ${typeof v}; safetensors metadata values are strings`);
    }
    header.__metadata__ = options.metadata;
  }
  let offset = 0;
  for (const e of entries) {
    if (e.name === '__metadata__' || Object.hasOwn(header, e.name)) throw new Error(`saveSafetensors: the name "${e.name}" is taken twice (or reserved)`);
    header[e.name] = { dtype: e.dtype, shape: [...e.shape], data_offsets: [offset, offset + e.bytes] };
    offset += e.bytes;
  }
  const json = JSON.stringify(header);
  const length = new TextEncoder().encode(json).length;
  const head = new TextEncoder().encode(json + ' '.repeat((8 - (length % 8)) % 8)); // the data starts 8-byte aligned
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const e of entries) {
    e.write(view, at);
    at += e.bytes;
  }
  return out;
}

/** A checked header entry: where its bytes are in the file. */
interface Located {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Reads and checks the header of a safetensors file; every entry's byte range is checked against the file. */
function readHeader(bytes: Uint8Array): { entries: Located[]; metadata: Record<string, string>; view: DataView } {
  const fail = (why: string): never => {
    throw new Error(`safetensors: malformed file: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`the header length is ${n} bytes but only ${bytes.length - 8} bytes follow it`);
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const dataLength = bytes.length - headerEnd;
  let metadata: Record<string, string> = {};
  const entries: Located[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Object.values(v).some((x) => typeof x !== 'string')) fail('__metadata__ must map strings to strings');
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== 'object') fail(`tensor "${name}" is ${formatValue(v)}; expected { dtype, shape, data_offsets }`);
    const item = typeof e!.dtype === 'string' ? ITEM_BYTES[e!.dtype] : undefined;
    if (item === undefined) fail(`tensor "${name}" has dtype ${formatValue(e!.dtype)}, which the format does not define`);
    const shape = e!.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor "${name}" has shape ${formatValue(shape)}; expected non-negative integers`);
    const off = e!.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1]) {
      fail(`tensor "${name}" has data_offsets ${formatValue(off)}; expected [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = off as [number, number];
    if (end > dataLength) fail(`tensor "${name}" ends at byte ${end} of the data, but the data has ${dataLength} bytes`);
    const need = sizeOf(shape as number[]) * item!;
    if (end - begin !== need) fail(`tensor "${name}" (${e!.dtype} ${shapeStr(shape as number[])}) needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    entries.push({ name, dtype: e!.dtype as string, shape: shape as number[], begin: headerEnd + begin, end: headerEnd + end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = headerEnd;
  for (const e of sorted) {
    if (e.begin !== covered) {
      fail(e.begin < covered ? `tensor "${e.name}" overlaps the tensor before it` : `bytes ${covered - headerEnd}–${e.begin - headerEnd} of the data belong to no tensor`);
    }
    covered = e.end;
  }
  if (covered !== bytes.length) fail(`the last ${bytes.length - covered} bytes of the data belong to no tensor`);
  return { entries, metadata, view };
}

function floatTensor(e: Located, view: DataView): Tensor {
  const dtype: DType | undefined = e.dtype === 'F32' ? 'float32' : e.dtype === 'F64' ? 'float64' : undefined;
  if (dtype === undefined) {
    throw new Error(
      `safetensors: tensor "${e.name}" is ${e.dtype} ${shapeStr(e.shape)}; tapegrad reads F32 and F64 ` +
        `(convert it first, e.g. t.float() or t.double() in PyTorch)`,
    );
  }
  const data = allocate(dtype, sizeOf(e.shape));
  const at = e.begin; // the view starts where the file's bytes start
  if (dtype === 'float32') for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
  else for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(at + 8 * i, true);
  return new Tensor(data, e.shape);
}

/** The tensors (float32/float64) and metadata of a safetensors file, checked for form. */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { entries, metadata, view } = readHeader(bytes);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) tensors[e.name] = floatTensor(e, view);
  return { tensors, metadata };
}

/**
 * Copies the tensors of a safetensors file into the module in place, like loadStateDict (strict by default: every
 * tensor present, nothing extra, shapes equal; checked before anything is written). With { convention: 'torch' } the
 * file is read with torch.nn's names and layouts (see the top of this file).
 */
export function loadSafetensors(module: Module, bytes: Uint8Array, options: SafetensorsOptions & { strict?: boolean } = {}): LoadStateDictResult {
  const convention = checkConvention('loadSafetensors', options.convention);
  const { entries, view } = readHeader(bytes);
  const byFileName = new Map(namesOf(module, convention).map(([file, t, transpose]) => [file, { t, transpose }]));
  const tapegradName = new Map(module.namedTensors().map(([name, t]) => [t, name]));
  const counters = new Map<string, BatchNorm1d>();
  if (convention === 'torch') {
    for (const [prefix, m] of module.namedModules()) {
      if (m instanceof BatchNorm1d && m.runningMean !== null) counters.set(prefix === '' ? NUM_BATCHES : `${prefix}.${NUM_BATCHES}`, m);
    }
  }
  const state: StateDict = { format: 'tapegrad.stateDict', version: 1, tensors: {} };
  const batchCounts: [BatchNorm1d, number][] = [];
  for (const e of entries) {
    const counter = counters.get(e.name);
    if (counter !== undefined && e.dtype === 'I64' && e.shape.length === 0) {
      batchCounts.push([counter, Number(view.getBigInt64(e.begin, true))]);
      continue;
    }
    const target = byFileName.get(e.name);
    let t = floatTensor(e, view);
    if (target?.transpose) {
      const expected = [target.t.shape[1], target.t.shape[0]];
      if (!sameShape(t.shape, expected)) {
        throw new Error(`loadSafetensors: "${e.name}" is ${shapeStr(t.shape)} in the file; expected torch's out × in layout ${shapeStr(expected)} of ${shapeStr(target.t.shape)}`);
      }
      t = new Tensor(transposed(t.data, t.shape), target.t.shape);
    }
    const name = target === undefined ? e.name : tapegradName.get(target.t)!;
    state.tensors[name] = { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data, encode) };
  }
  const result = loadStateDict(module, state, { strict: options.strict });
  for (const [m, n] of batchCounts) m.numBatchesTracked = n;
  return result;
}

function checkConvention(op: string, convention: unknown): 'tapegrad' | 'torch' {
  if (convention === undefined || convention === 'tapegrad' || convention === 'torch') return convention ?? 'tapegrad';
  throw new Error(`${op}: unknown convention ${formatValue(convention)}; expected 'tapegrad' or 'torch'`);
}
