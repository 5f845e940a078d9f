import { allocate, hadamard, matmulNT } from '@tapegrad/autograd/kernels';
import { ChapterCopy } from './chapter-copy.ts';

/** δ^l = δ^{l+1} (W^{l+1})ᵀ ⊙ act'(a^l): the derivative taken at the output a^l instead of at z^l. */
export class ActPrimeOfA extends ChapterCopy {
  override readonly name = "mutant: act'(a) for act'(z)";
  protected override passDown(l: number): void {
    const s = this.sizes;
    const prime = this.act[l].df(this.a[l], allocate(this.dtype, this.a[l].length)); // should be z[l]
    hadamard(matmulNT(this.delta[l + 1], this.W[l + 1], this.delta[l], this.N, s[l + 1], s[l]), prime, this.delta[l]);
  }
}
