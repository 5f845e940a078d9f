import type { DType, Tensor } from '@tapegrad/autograd';
import { crossEntropy, linear, nn, softmax, tensor } from '@tapegrad/autograd';
import type { ActivationName } from '@tapegrad/autograd/kernels';
import { ulpDistance } from '@tapegrad/bench/core';
import type { MLPParams, Trace } from '@tapegrad/manual';
import { ManualMLP } from '@tapegrad/manual';

// The chapter's network on one sample, computed twice: by the chapter's own backprop (@tapegrad/manual's trace) and
// by the tape (@tapegrad/autograd, z^l kept with retainGrad so that δ^l = z^l.grad), symbol by symbol, in the order
// the chapter derives them, with the ulps between the two engines for every entry. No DOM here: the page renders
// what this returns, and the tests compute the same thing in Node.

/** What the reader edits: the sample x, its class, the parameters, and the dtype both engines compute in. */
export interface ChapterInput {
  readonly sizes: readonly number[];
  readonly activation: ActivationName;
  readonly x: readonly number[];
  /** The class of x: the one-hot y has its 1 here. */
  readonly label: number;
  readonly params: MLPParams;
  readonly dtype: DType;
}

/** One symbol of the chapter (z^l, a^l, loss, δ^l, ∂loss/∂W^l, ∂loss/∂b^l) from both engines. */
export interface SymbolRow {
  /** A stable name for the page and its tests: z1, a1, loss, delta3, dW3, db3, … */
  readonly key: string;
  /** The symbol as the chapter writes it: z¹, ∂loss/∂W³, … */
  readonly symbol: string;
  /** The chapter's equation that gives it. */
  readonly equation: string;
  readonly pass: 'forward' | 'backward';
  /** [rows, cols] of the matrix ([1, k] for a row, [1, 1] for the loss). */
  readonly shape: readonly [number, number];
  readonly manual: readonly number[];
  readonly autograd: readonly number[];
  /** ulps between the engines' values, entry by entry, in the dtype. */
  readonly ulps: readonly number[];
}

const SUP: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
const sup = (l: number) => String(l).replace(/\d/g, (c) => SUP[c]);

/** Both engines' symbols for one sample, forward pass from layer 1 up, then backward from layer n down. */
export function chapterRows(input: ChapterInput): SymbolRow[] {
  const { sizes, activation, x, label, params, dtype } = input;
  const n = sizes.length - 1;
  const manual = new ManualMLP({ sizes, activation, dtype, params }).trace([x as number[]], [label]);
  const tape = autogradSymbols(input);
  const rows: SymbolRow[] = [];
  const row = (key: string, symbol: string, equation: string, pass: SymbolRow['pass'], shape: readonly [number, number], m: ArrayLike<number>, a: ArrayLike<number>) => {
    const mm = Array.from(m);
    const aa = Array.from(a);
    rows.push({ key, symbol, equation, pass, shape, manual: mm, autograd: aa, ulps: mm.map((v, i) => ulpDistance(v, aa[i], dtype)) });
  };
  const act = (l: number) => (l < n ? activation : 'softmax');
  for (let l = 1; l <= n; l++) {
    const L = manual.layers[l - 1];
    const k = sizes[l];
    row(`z${l}`, `z${sup(l)}`, `z${sup(l)} = a${sup(l - 1)} W${sup(l)} + b${sup(l)}`, 'forward', [1, k], L.z.data, tape.z[l - 1]);
    row(`a${l}`, `a${sup(l)}`, `a${sup(l)} = ${act(l)}(z${sup(l)})`, 'forward', [1, k], L.a.data, tape.a[l - 1]);
  }
  row('loss', 'loss', `loss = −Σᵢ yᵢ ln a${sup(n)}ᵢ`, 'forward', [1, 1], [manualLoss(manual, dtype)], [tape.loss]);
  for (let l = n; l >= 1; l--) {
    const L = manual.layers[l - 1];
    const [inW, out] = [sizes[l - 1], sizes[l]];
    const delta = l === n ? `δ${sup(n)} = a${sup(n)} − y` : `δ${sup(l)} = δ${sup(l + 1)} (W${sup(l + 1)})ᵀ ⊙ ${activation}′(z${sup(l)})`;
    row(`delta${l}`, `δ${sup(l)}`, delta, 'backward', [1, out], L.delta.data, tape.delta[l - 1]);
    row(`dW${l}`, `∂loss/∂W${sup(l)}`, `∂loss/∂W${sup(l)} = (a${sup(l - 1)})ᵀ δ${sup(l)}`, 'backward', [inW, out], L.dW.data, tape.dW[l - 1]);
    row(`db${l}`, `∂loss/∂b${sup(l)}`, `∂loss/∂b${sup(l)} = δ${sup(l)}`, 'backward', [1, out], L.db.data, tape.db[l - 1]);
  }
  return rows;
}

/** The manual engine's loss in the dtype (it accumulates in double and returns a JS number). */
function manualLoss(trace: Trace, dtype: DType): number {
  return dtype === 'float32' ? Math.fround(trace.loss) : trace.loss;
}

interface TapeSymbols {
  z: Float64Array[];
  a: Float64Array[];
  delta: Float64Array[];
  dW: Float64Array[];
  db: Float64Array[];
  loss: number;
}

/**
 * The same network written with autograd as a user would: leaves W^l, b^l, z^l = linear(a^{l−1}, W^l, b^l),
 * a^l = act(z^l), loss = crossEntropy(z^n, class) (softmax and cross-entropy in one op), loss.backward().
 */
function autogradSymbols(input: ChapterInput): TapeSymbols {
  const { sizes, activation, x, label, params, dtype } = input;
  const n = sizes.length - 1;
  const W = params.W.map((w) => tensor(w as number[][], { dtype, requiresGrad: true }));
  const b = params.b.map((v) => tensor(v as number[], { dtype, requiresGrad: true }));
  const act = nn.activation(activation);
  let a: Tensor = tensor([x as number[]], { dtype });
  const z: Tensor[] = [];
  const outs: Tensor[] = [];
  for (let l = 1; l <= n; l++) {
    const zl = linear(a, W[l - 1], b[l - 1]); // z^l = a^{l−1} W^l + b^l
    zl.retainGrad();
    z.push(zl);
    a = l < n ? act.call(zl) : softmax(zl, 1); // a^l = act(z^l), a^n = softmax(z^n)
    outs.push(a);
  }
  const loss = crossEntropy(z[n - 1], [label]);
  loss.backward();
  const copy = (t: Tensor) => Float64Array.from(t.data);
  return {
    z: z.map(copy),
    a: outs.map(copy),
    delta: z.map((t) => copy(t.grad!)),
    dW: W.map((t) => copy(t.grad!)),
    db: b.map((t) => copy(t.grad!)),
    loss: loss.item(),
  };
}
