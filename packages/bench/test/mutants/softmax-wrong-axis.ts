import type { FloatArray } from '@tapegrad/autograd/kernels';
import { softmax } from '@tapegrad/autograd/kernels';
import { ChapterCopy } from './chapter-copy.ts';

/** a^n = softmax(z^n) over the batch axis (each class normalised across samples) instead of across classes. */
export class SoftmaxWrongAxis extends ChapterCopy {
  override readonly name = 'mutant: softmax over the wrong axis';
  protected override outputActivation(zn: FloatArray, out: FloatArray, N: number, k: number): void {
    softmax(zn, [N, k], 0, out);
  }
}
