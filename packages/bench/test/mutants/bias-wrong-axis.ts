import { allocate } from '@tapegrad/autograd/kernels';
import { ChapterCopy } from './chapter-copy.ts';

/** ∂loss/∂b^l = Σ_columns δ^l: each row summed instead of each column (one value per sample, not per unit). */
export class BiasWrongAxis extends ChapterCopy {
  override readonly name = 'mutant: bias summed over the wrong axis';
  protected override biasGrad(l: number): void {
    const cols = this.sizes[l];
    const out = allocate(this.dtype, this.N);
    for (let r = 0; r < this.N; r++) for (let j = 0; j < cols; j++) out[r] += this.delta[l][r * cols + j];
    this.db[l] = out;
  }
}
