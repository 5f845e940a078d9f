import type { ActivationName } from '@tapegrad/autograd/kernels';
import type { MLPParams } from './types.ts';

export interface ChapterExample {
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  /** W^l as (in × out) rows and b^l, layer 1 at index 0. */
  readonly params: MLPParams;
  /** One sample x and its one-hot target row y. */
  readonly sample: { readonly x: readonly number[]; readonly y: readonly number[] };
  /** A batch of samples and their class indices. */
  readonly batch: { readonly x: readonly (readonly number[])[]; readonly y: readonly number[] };
}

/**
 * The chapter's worked example network: 2 inputs, two hidden sigmoid layers of 2 units, 3 classes
 * (sizes [2, 2, 2, 3]), with fixed parameters small enough to follow by hand, first on one sample, then on a
 * batch of 3. Used by the tests, the printed trace (examples/chapter-trace.ts) and anyone comparing engines.
 */
export const chapterExample: ChapterExample = deepFreeze({
  sizes: [2, 2, 2, 3],
  activation: 'sigmoid',
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
  // one sample of class 2, its target given as the chapter's one-hot row
  sample: { x: [0.05, 0.1], y: [0, 0, 1] },
  // a batch of 3 samples, classes 2, 0, 1
  batch: {
    x: [
      [0.05, 0.1],
      [0.9, -0.4],
      [-0.3, 0.7],
    ],
    y: [2, 0, 1],
  },
});

/** Freezes every nested array and object, so that no caller can change the example for the next one. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
