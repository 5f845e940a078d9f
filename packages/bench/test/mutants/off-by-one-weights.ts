import { allocate, hadamard, matmulNT } from '@tapegrad/autograd/kernels';
import { ChapterCopy } from './chapter-copy.ts';

/** δ^l = δ^{l+1} (W^l)ᵀ ⊙ act'(z^l): the weights of the layer itself instead of the layer above (needs equal widths). */
export class OffByOneWeights extends ChapterCopy {
  override readonly name = 'mutant: W^l for W^{l+1}';
  protected override passDown(l: number): void {
    const s = this.sizes;
    const prime = this.act[l].df(this.z[l], allocate(this.dtype, this.z[l].length));
    hadamard(matmulNT(this.delta[l + 1], this.W[l], this.delta[l], this.N, s[l + 1], s[l]), prime, this.delta[l]);
  }
}
