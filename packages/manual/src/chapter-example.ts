import type { ActivationName } from '@tapegrad/autograd/kernels';

/**
 * The chapter's worked example network: 2 inputs, two hidden sigmoid layers of 2 units, 3 classes
 * (sizes [2, 2, 2, 3]), with fixed parameters small enough to follow by hand, first on one sample, then on a
 * batch of 3. Used by the tests, the printed trace (examples/chapter-trace.ts) and anyone comparing engines.
 */
export const chapterExample = Object.freeze({
  sizes: [2, 2, 2, 3] as const,
  activation: 'sigmoid' as ActivationName,
  /** W^l as (in × out) rows and b^l, layer 1 at index 0. */
  params: {
    W: [
      [
        [0.15, 0.25],
        [0.2, 0.3],
      ],
      [
        [0.4, 0.5],
        [0.45, 0.55],
      ],
      [
        [0.1, -0.2, 0.3],
        [0.4, 0.5, -0.6],
      ],
    ],
    b: [
      [0.35, 0.35],
      [0.6, 0.6],
      [0.0, 0.1, -0.1],
    ],
  },
  /** One sample x and its one-hot target y (class 2). */
  sample: { x: [0.05, 0.1], y: [0, 0, 1] },
  /** A batch of 3 samples with class indices. */
  batch: {
    x: [
      [0.05, 0.1],
      [0.9, -0.4],
      [-0.3, 0.7],
    ],
    y: [2, 0, 1],
  },
});
