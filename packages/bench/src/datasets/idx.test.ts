import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch-dir.test-helper.ts';
import { encodeIdx, loadMnist, parseIdx, readIdxImages, readIdxLabels } from './idx.ts';

// Tiny IDX files written by hand: 3 images of 2 × 2 pixels and their labels.
const PIXELS = [0, 255, 51, 102, 255, 0, 0, 0, 1, 2, 3, 4];
const LABELS = [7, 0, 9];

function writeMnist(dir: string, options: { gzip?: boolean; dotted?: boolean; labels?: number[]; images?: Uint8Array } = {}) {
  const { gzip = false, dotted = false, labels = LABELS } = options;
  const images = options.images ?? encodeIdx([3, 2, 2], PIXELS);
  const name = (kind: 'images' | 'labels', dims: string) => `train-${kind}${dotted ? '.' : '-'}${dims}-ubyte${gzip ? '.gz' : ''}`;
  const enc = (b: Uint8Array) => (gzip ? gzipSync(b) : b);
  writeFileSync(join(dir, name('images', 'idx3')), enc(images));
  writeFileSync(join(dir, name('labels', 'idx1')), enc(encodeIdx([labels.length], labels)));
}

describe('IDX parsing', () => {
  it('reads the big-endian header and the values', () => {
    const arr = parseIdx(encodeIdx([3, 2, 2], PIXELS));
    expect(arr.magic).toBe(0x00000803);
    expect(arr.type).toBe('ubyte');
    expect(arr.dims).toEqual([3, 2, 2]);
    expect(Array.from(arr.data)).toEqual(PIXELS);
    const big = encodeIdx([70000], new Array(70000).fill(1)); // a dimension above 65535: 4 bytes, big-endian
    expect(parseIdx(big).dims).toEqual([70000]);
    expect(Array.from(big.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 1, 0x11, 0x70]);
  });

  it('reads other element types, big-endian', () => {
    const bytes = new Uint8Array(4 + 4 + 8);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, 0x00000d01);
    v.setUint32(4, 2);
    v.setFloat32(8, 1.5);
    v.setFloat32(12, -2);
    expect(Array.from(parseIdx(bytes).data)).toEqual([1.5, -2]);
  });

  it('decompresses gzip, whatever the file is called', () => {
    expect(Array.from(readIdxLabels(gzipSync(encodeIdx([3], LABELS))))).toEqual(LABELS);
  });

  it('rejects a bad magic number, naming what it expected', () => {
    expect(() => parseIdx(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 'f')).toThrow(/f: bad magic number 0x01020304/);
    expect(() => readIdxImages(encodeIdx([3], LABELS), 'labels-as-images')).toThrow(/bad magic number 0x00000801 .*expected 0x00000803/);
    expect(() => readIdxLabels(encodeIdx([3, 2, 2], PIXELS), 'x')).toThrow(/expected 0x00000801 for labels/);
  });

  it('rejects truncated files and trailing bytes', () => {
    const full = encodeIdx([3, 2, 2], PIXELS);
    expect(() => parseIdx(full.subarray(0, 3))).toThrow(/truncated IDX file: 3 bytes/);
    expect(() => parseIdx(full.subarray(0, 10))).toThrow(/truncated .*header of 3 dimensions needs 16/);
    expect(() => parseIdx(full.subarray(0, full.length - 1))).toThrow(/truncated IDX file: 27 bytes, but dimensions \[3, 2, 2\] of ubyte need 28/);
    expect(() => parseIdx(Uint8Array.from([...full, 0]))).toThrow(/1 bytes after the 12 values/);
    expect(() => parseIdx(gzipSync(full).subarray(0, 20), 'z')).toThrow(/z: gzip data is corrupt or truncated/);
  });
});

describe('loadMnist', () => {
  for (const variant of [{ gzip: false, dotted: false }, { gzip: true, dotted: false }, { gzip: false, dotted: true }]) {
    it(`loads ${variant.gzip ? 'gzipped' : 'plain'} files named ${variant.dotted ? 'train-images.idx3-ubyte' : 'train-images-idx3-ubyte'}`, () => {
      const dir = scratchDir('idx');
      writeMnist(dir, variant);
      const ds = loadMnist(dir);
      expect(ds).toMatchObject({ name: 'mnist', count: 3, features: 4, classes: 10 });
      expect(Array.from(ds.labels)).toEqual(LABELS);
      expect(Array.from(ds.x)).toEqual(PIXELS.map((p) => p / 255));
      expect(Math.max(...ds.x)).toBe(1);
      expect(Math.min(...ds.x)).toBe(0);
    });
  }

  it('cuts to a limit', () => {
    const dir = scratchDir('idx');
    writeMnist(dir);
    const ds = loadMnist(dir, { limit: 2 });
    expect(ds.count).toBe(2);
    expect(ds.x.length).toBe(8);
  });

  it('rejects a count mismatch between images and labels', () => {
    const dir = scratchDir('idx');
    writeMnist(dir, { labels: [1, 2] });
    expect(() => loadMnist(dir)).toThrow(/count mismatch: 3 images but 2 labels/);
  });

  it('rejects labels outside the classes', () => {
    const dir = scratchDir('idx');
    writeMnist(dir, { labels: [1, 2, 12] });
    expect(() => loadMnist(dir)).toThrow(/label 12 of sample 2 is not a class in \[0, 9\]/);
  });

  it('rejects a truncated image file on disk', () => {
    const dir = scratchDir('idx');
    writeMnist(dir, { images: encodeIdx([3, 2, 2], PIXELS).subarray(0, 20) });
    expect(() => loadMnist(dir)).toThrow(/train-images-idx3-ubyte: truncated IDX file/);
  });

  it('says which files it looked for, and rejects a missing directory', () => {
    const dir = scratchDir('idx');
    expect(() => loadMnist(dir)).toThrow(/no MNIST images file; looked for train-images-idx3-ubyte, train-images-idx3-ubyte.gz, train-images.idx3-ubyte/);
    expect(() => loadMnist(join(dir, 'nope'))).toThrow(/not a directory/);
  });
});
