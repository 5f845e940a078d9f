import { ChapterCopy } from './chapter-copy.ts';

/** for (l = n; l > 1; l--): the backward loop stops one layer early, so δ^1, ∂loss/∂W^1 and ∂loss/∂b^1 stay 0. */
export class OffByOneLoop extends ChapterCopy {
  override readonly name = 'mutant: backward loop stops at layer 2';
  protected override lowestLayer(): number {
    return 2;
  }
}
