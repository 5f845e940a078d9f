import { allocate, hadamard, matmul } from '@tapegrad/autograd/kernels';
import { ChapterCopy } from './chapter-copy.ts';

/**
 * δ^l = δ^{l+1} W^{l+1} ⊙ act'(z^l): the transpose forgotten. With flat buffers nothing complains: the
 * (in × out) buffer of W^{l+1} is simply read as if it were (out × in).
 */
export class MissingTranspose extends ChapterCopy {
  override readonly name = 'mutant: missing transpose';
  protected override passDown(l: number): void {
    const s = this.sizes;
    const prime = this.act[l].df(this.z[l], allocate(this.dtype, this.z[l].length));
    hadamard(matmul(this.delta[l + 1], this.W[l + 1], this.delta[l], this.N, s[l + 1], s[l]), prime, this.delta[l]);
  }
}
