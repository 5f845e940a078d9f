import type { Dataset } from './dataset.ts';

/**
 * The chapter's toy problem: 2 inputs, 3 classes, a batch of 3. The values are the batch of the PyTorch reference
 * case `chapter-2-2-2-3-sigmoid-N3` (fixtures/mlp-reference.json), so the same batch is checked against an
 * independent implementation there.
 */
export function chapterDataset(): Dataset {
  return {
    name: 'chapter',
    x: Float64Array.from([
      2.0121482719686083, -0.8324614118027929, -0.08534385809406837, -0.9330029538508006, 0.7799461616682326, 0.5091443574476291,
    ]),
    labels: Int32Array.from([1, 0, 2]),
    count: 3,
    features: 2,
    classes: 3,
  };
}
