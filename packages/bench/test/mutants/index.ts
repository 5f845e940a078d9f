import type { DType } from '@tapegrad/autograd/kernels';
import type { Engine, NetworkSpec, SymbolName } from '@tapegrad/bench';
import { ActPrimeOfA } from './act-prime-of-a.ts';
import { BiasWrongAxis } from './bias-wrong-axis.ts';
import { ChapterCopy } from './chapter-copy.ts';
import { MissingOneOverN } from './missing-one-over-n.ts';
import { MissingTranspose } from './missing-transpose.ts';
import { OffByOneLoop } from './off-by-one-loop.ts';
import { OffByOneWeights } from './off-by-one-weights.ts';
import { SoftmaxWrongAxis } from './softmax-wrong-axis.ts';

export { ChapterCopy } from './chapter-copy.ts';

export interface Mutant {
  readonly name: string;
  readonly make: (spec: NetworkSpec, dtype: DType) => Engine;
  /** Where the equality report must say the engines first diverge, for a network of n layers. */
  readonly expect: (n: number) => { layer: number; symbol: SymbolName };
  /** Networks it applies to: the off-by-one weights mutant needs equal widths to run at all. */
  readonly squareOnly?: boolean;
}

export const MUTANTS: readonly Mutant[] = [
  { name: 'missing 1/N', make: (s, d) => new MissingOneOverN(s, d), expect: (n) => ({ layer: n, symbol: 'delta' }) },
  { name: "act'(a) instead of act'(z)", make: (s, d) => new ActPrimeOfA(s, d), expect: (n) => ({ layer: n - 1, symbol: 'delta' }) },
  { name: 'missing transpose', make: (s, d) => new MissingTranspose(s, d), expect: (n) => ({ layer: n - 1, symbol: 'delta' }) },
  { name: 'bias summed over the wrong axis', make: (s, d) => new BiasWrongAxis(s, d), expect: (n) => ({ layer: n, symbol: 'db' }) },
  { name: 'softmax over the wrong axis', make: (s, d) => new SoftmaxWrongAxis(s, d), expect: (n) => ({ layer: n, symbol: 'delta' }) },
  { name: 'off-by-one: backward loop stops at layer 2', make: (s, d) => new OffByOneLoop(s, d), expect: () => ({ layer: 1, symbol: 'delta' }) },
  {
    name: 'off-by-one: W^l instead of W^{l+1}',
    make: (s, d) => new OffByOneWeights(s, d),
    expect: (n) => ({ layer: n - 1, symbol: 'delta' }),
    squareOnly: true,
  },
];

/** The unmodified copy, which must pass. */
export const chapterCopy = (spec: NetworkSpec, dtype: DType): Engine => new ChapterCopy(spec, dtype);
