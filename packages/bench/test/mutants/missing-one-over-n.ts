import type { FloatArray } from '@tapegrad/autograd/kernels';
import { subtract } from '@tapegrad/autograd/kernels';
import { ChapterCopy } from './chapter-copy.ts';

/** δ^n = a^n − y: the batch mean's 1/N forgotten (every gradient N times too large). */
export class MissingOneOverN extends ChapterCopy {
  override readonly name = 'mutant: missing 1/N';
  protected override outputDelta(an: FloatArray, Y: FloatArray, out: FloatArray): void {
    subtract(an, Y, out);
  }
}
