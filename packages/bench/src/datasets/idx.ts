import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Dataset } from './dataset.ts';

// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/): a big-endian header
//   0x00 0x00 <type> <ndims>   then ndims × uint32 sizes   then the values, row-major, big-endian.
// Images are type 0x08 (unsigned byte) with 3 dimensions: magic 0x00000803; labels are 0x08 with 1: 0x00000801.
// Files may be gzip-compressed (detected from their first two bytes, 0x1f 0x8b, whatever their name).

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'ubyte', bytes: 1 },
  0x09: { name: 'sbyte', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxArray {
  /** The 32-bit magic number: 0x0000 <type> <ndims>. */
  readonly magic: number;
  readonly type: string;
  readonly dims: readonly number[];
  /** Values, row-major (ubyte files: the raw bytes, not copied). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function gunzipIfNeeded(bytes: Uint8Array, where: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${where}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** Parses an IDX file's bytes (gzip-compressed or not). `where` names the file in errors. */
export function parseIdx(raw: Uint8Array, where = 'idx'): IdxArray {
  const bytes = gunzipIfNeeded(raw, where);
  if (bytes.length < 4) throw new Error(`${where}: truncated IDX file: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const typeCode = bytes[2];
  const ndims = bytes[3];
  const type = TYPES[typeCode];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndims === 0) {
    throw new Error(`${where}: bad magic number ${hex(magic)}; expected an IDX file, e.g. ${hex(IDX_IMAGES_MAGIC)} (images) or ${hex(IDX_LABELS_MAGIC)} (labels)`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(`${where}: truncated IDX file: ${bytes.length} bytes, but its header of ${ndims} dimensions needs ${headerBytes}`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const need = headerBytes + count * type.bytes;
  if (bytes.length < need) {
    throw new Error(`${where}: truncated IDX file: ${bytes.length} bytes, but dimensions [${dims.join(', ')}] of ${type.name} need ${need}`);
  }
  if (bytes.length > need) {
    throw new Error(`${where}: IDX file has ${bytes.length - need} bytes after the ${count} values its dimensions [${dims.join(', ')}] announce`);
  }
  return { magic, type: type.name, dims, data: readValues(view, headerBytes, count, typeCode, bytes) };
}

function readValues(view: DataView, at: number, n: number, code: number, bytes: Uint8Array): IdxArray['data'] {
  switch (code) {
    case 0x08:
      return bytes.subarray(at, at + n);
    case 0x09:
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, n);
    case 0x0b:
      return Int16Array.from({ length: n }, (_, i) => view.getInt16(at + 2 * i, false));
    case 0x0c:
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(at + 4 * i, false));
    case 0x0d:
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(at + 4 * i, false));
    default:
      return Float64Array.from({ length: n }, (_, i) => view.getFloat64(at + 8 * i, false));
  }
}

function expectMagic(arr: IdxArray, magic: number, what: string, where: string): void {
  if (arr.magic !== magic) {
    throw new Error(`${where}: bad magic number ${hex(arr.magic)} (${arr.type}, ${arr.dims.length} dimensions); expected ${hex(magic)} for ${what}`);
  }
}

/** Images from an IDX file (magic 0x00000803): count × rows × cols bytes. */
export function readIdxImages(raw: Uint8Array, where = 'images'): { count: number; rows: number; cols: number; pixels: Uint8Array } {
  const arr = parseIdx(raw, where);
  expectMagic(arr, IDX_IMAGES_MAGIC, 'images (ubyte, 3 dimensions)', where);
  const [count, rows, cols] = arr.dims;
  return { count, rows, cols, pixels: arr.data as Uint8Array };
}

/** Labels from an IDX file (magic 0x00000801). */
export function readIdxLabels(raw: Uint8Array, where = 'labels'): Uint8Array {
  const arr = parseIdx(raw, where);
  expectMagic(arr, IDX_LABELS_MAGIC, 'labels (ubyte, 1 dimension)', where);
  return arr.data as Uint8Array;
}

export interface MnistOptions {
  /** 'train' (60 000 samples) or 't10k' (10 000). Default 'train'. */
  readonly split?: 'train' | 't10k';
  /** Convert only the first `limit` samples to float64 (the whole file is still validated). */
  readonly limit?: number;
  readonly classes?: number;
}

/** The file names MNIST is distributed under, with and without .gz. */
export function mnistFileNames(split: 'train' | 't10k', kind: 'images' | 'labels'): string[] {
  const dims = kind === 'images' ? 'idx3' : 'idx1';
  const base = [`${split}-${kind}-${dims}-ubyte`, `${split}-${kind}.${dims}-ubyte`];
  return base.flatMap((b) => [b, `${b}.gz`]);
}

function findFile(dir: string, names: string[], kind: string): string {
  for (const n of names) {
    const p = join(dir, n);
    if (existsSync(p)) return p;
  }
  throw new Error(`--data ${dir}: no MNIST ${kind} file; looked for ${names.join(', ')}`);
}

/** The paths of a split's images and labels in `dir`; throws naming the directory and the names looked for. */
export function mnistFiles(dir: string, split: 'train' | 't10k' = 'train'): { imagesPath: string; labelsPath: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--data ${dir}: not a directory`);
  return { imagesPath: findFile(dir, mnistFileNames(split, 'images'), 'images'), labelsPath: findFile(dir, mnistFileNames(split, 'labels'), 'labels') };
}

/** MNIST from a directory of IDX files: pixels scaled to [0, 1] (byte / 255), labels as class indices. */
export function loadMnist(dir: string, options: MnistOptions = {}): Dataset {
  const { split = 'train', limit = Infinity, classes = 10 } = options;
  const { imagesPath, labelsPath } = mnistFiles(dir, split);
  const images = readIdxImages(readFileSync(imagesPath), imagesPath);
  const labels = readIdxLabels(readFileSync(labelsPath), labelsPath);
  return mnistDataset(images, labels, { limit, classes, where: `${imagesPath} / ${labelsPath}` });
}

/** Joins parsed images and labels into a data set, checking that they agree. */
export function mnistDataset(
  images: { count: number; rows: number; cols: number; pixels: Uint8Array },
  labels: Uint8Array,
  options: { limit?: number; classes?: number; where?: string } = {},
): Dataset {
  const { limit = Infinity, classes = 10, where = 'mnist' } = options;
  if (images.count !== labels.length) {
    throw new Error(`${where}: count mismatch: ${images.count} images but ${labels.length} labels`);
  }
  const features = images.rows * images.cols;
  const count = Math.min(images.count, limit);
  const x = new Float64Array(count * features);
  for (let i = 0; i < x.length; i++) x[i] = images.pixels[i] / 255;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= classes) throw new Error(`${where}: label ${labels[i]} of sample ${i} is not a class in [0, ${classes - 1}]`);
    out[i] = labels[i];
  }
  return { name: 'mnist', x, labels: out, count, features, classes };
}

/** Encodes an IDX ubyte file (used by tests and by anyone making a small MNIST-like set). */
export function encodeIdx(dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x00000800 | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(Uint8Array.from(values), header.length);
  return out;
}
