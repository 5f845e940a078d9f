import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mnistFileNames, readIdxImages, readIdxLabels } from './idx.ts';

// Fashion-MNIST (Zalando: 28×28 grey images of clothing, 10 classes, 60 000 for training and 10 000 for testing) and
// MNIST: the same IDX files, the same names. Kept as the files' bytes, with float32 pixels byte / 255 (no other
// preprocessing, as in the Fashion-MNIST README's benchmark), for the `fashion` workload that trains on all of it.

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface ImageSplit {
  readonly count: number;
  readonly features: number;
  /** count × features bytes, as in the file. */
  readonly pixels: Uint8Array;
  /** count × features, byte / 255 rounded to float32. */
  readonly x: Float32Array;
  readonly labels: Int32Array;
}

export interface ImageDataset {
  readonly dir: string;
  readonly train: ImageSplit;
  readonly test: ImageSplit;
  readonly classes: number;
}

/** Why `dir` holds no MNIST-style data set (a sentence), or null when it has all four files. */
export function imageDatasetMissing(dir: string): string | null {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `${dir} does not exist (install Debian's dataset-fashion-mnist, or pass --data DIR)`;
  for (const split of ['train', 't10k'] as const) {
    for (const kind of ['images', 'labels'] as const) {
      const names = mnistFileNames(split, kind);
      if (!names.some((n) => existsSync(join(dir, n)))) return `${dir} has no ${split} ${kind} (looked for ${names.join(', ')})`;
    }
  }
  return null;
}

function readSplit(dir: string, split: 'train' | 't10k'): ImageSplit {
  const path = (kind: 'images' | 'labels') => mnistFileNames(split, kind).map((n) => join(dir, n)).find(existsSync) as string;
  const images = readIdxImages(readFileSync(path('images')), path('images'));
  const labels = readIdxLabels(readFileSync(path('labels')), path('labels'));
  if (images.count !== labels.length) throw new Error(`${dir}: ${split} has ${images.count} images but ${labels.length} labels`);
  const features = images.rows * images.cols;
  const x = new Float32Array(images.count * features);
  for (let i = 0; i < x.length; i++) x[i] = images.pixels[i] / 255;
  return { count: images.count, features, pixels: images.pixels, x, labels: Int32Array.from(labels) };
}

/** The training and test splits of an MNIST-style directory of IDX files (gzipped or not). */
export function loadImageDataset(dir: string): ImageDataset {
  const missing = imageDatasetMissing(dir);
  if (missing !== null) throw new Error(`--data: ${missing}`);
  const train = readSplit(dir, 'train');
  const test = readSplit(dir, 't10k');
  if (train.features !== test.features) throw new Error(`${dir}: training images have ${train.features} pixels but test images ${test.features}`);
  let classes = 0;
  for (const l of [...train.labels, ...test.labels]) classes = Math.max(classes, l + 1);
  return { dir, train, test, classes };
}
