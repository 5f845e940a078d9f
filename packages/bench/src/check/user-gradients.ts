import type { DType } from '@tapegrad/autograd/kernels';
import type { SymbolName } from '../compare.ts';
import { symbolText } from '../compare.ts';
import type { LayerSymbols, Matrix, Symbols } from '../engine.ts';

// A user's gradients in whatever arrays they have (nested rows, flat number[], Float32Array, Float64Array),
// turned into the engines' flat matrices so that the bench's equality report can compare them. A wrong shape is
// not an error here: it is a finding, reported by the comparison (a bias gradient summed over the wrong axis has
// N entries instead of out). Malformed input (ragged rows, a missing layer, a value that is not a number) is.

/** One array: flat (row-major) or nested rows. */
export type UserArray = ArrayLike<number> | readonly ArrayLike<number>[];

/**
 * Gradients of the mean cross-entropy, layer l at index l − 1 (the chapter's 1-based layer l). `dW` and `db` are
 * required; `delta` (δ^l = ∂loss/∂z^l, N × out) and the loss are compared when given, and help pinpoint a mistake.
 */
export interface UserGradients {
  /** ∂loss/∂W^l, in × out. */
  readonly dW: readonly UserArray[];
  /** ∂loss/∂b^l, out. */
  readonly db: readonly UserArray[];
  /** δ^l = ∂loss/∂z^l, N × out. */
  readonly delta?: readonly UserArray[];
  readonly loss?: number;
}

const isRows = (x: UserArray): x is readonly ArrayLike<number>[] => x.length > 0 && typeof x[0] === 'object' && x[0] !== null;

/** `x` as a flat matrix in `dtype`: nested rows keep their shape, a flat array of the expected size takes it. */
function toMatrix(x: UserArray, expected: readonly number[], dtype: DType, where: string): Matrix {
  if (x === null || typeof x !== 'object' || typeof x.length !== 'number') throw new Error(`${where}: expected an array, got ${x === null ? 'null' : typeof x}`);
  let flat: ArrayLike<number>;
  let shape: number[];
  if (isRows(x)) {
    const cols = x[0].length;
    x.forEach((row, r) => {
      if (row === null || typeof row !== 'object' || row.length !== cols) throw new Error(`${where}: row ${r} has ${row?.length} entries, row 0 has ${cols}`);
    });
    const out: number[] = [];
    for (const row of x) for (let j = 0; j < row.length; j++) out.push(row[j]);
    flat = out;
    shape = [x.length, cols];
  } else {
    flat = x as ArrayLike<number>;
    const size = expected.reduce((a, b) => a * b, 1);
    shape = flat.length === size ? [...expected] : [flat.length];
  }
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== 'number') throw new Error(`${where}: entry ${i} is ${JSON.stringify(flat[i])}, not a number`);
  }
  return { data: dtype === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat), shape };
}

/** A bias gradient kept as one row (1 × out, as a keepdims sum gives it) is the vector it holds. */
const asRow = (m: Matrix): Matrix => (m.shape.length === 2 && m.shape[0] === 1 ? { data: m.data, shape: [m.shape[1]] } : m);

const empty: Matrix = { data: new Float64Array(0), shape: [0] };

/**
 * The user's gradients as engine symbols for a network of `sizes` on N rows, and which symbols they give
 * (dW and db always; delta and loss when present). Throws on malformed input.
 */
export function userSymbols(g: UserGradients, sizes: readonly number[], N: number, dtype: DType): { symbols: Symbols; given: SymbolName[] } {
  const n = sizes.length - 1;
  if (g === null || typeof g !== 'object' || !Array.isArray(g.dW) || !Array.isArray(g.db)) {
    const got = g !== null && typeof g === 'object' ? `an object with keys ${Object.keys(g).join(', ') || '(none)'}` : g === null ? 'null' : typeof g;
    throw new Error(`gradients: expected { dW: [...], db: [...] } (one array per layer, layer 1 first), got ${got}`);
  }
  const lists: [SymbolName, readonly UserArray[] | undefined][] = [
    ['dW', g.dW],
    ['db', g.db],
    ['delta', g.delta],
  ];
  for (const [name, list] of lists) {
    if (list !== undefined && list.length !== n) {
      throw new Error(`gradients: ${list.length} ${name} arrays for ${n} layers (sizes ${sizes.join('-')}); give one per layer, layer 1 first`);
    }
  }
  if (g.loss !== undefined && typeof g.loss !== 'number') throw new Error(`gradients: loss is ${typeof g.loss}, not a number`);
  const layers: LayerSymbols[] = [];
  for (let l = 1; l <= n; l++) {
    const [inW, out] = [sizes[l - 1], sizes[l]];
    layers.push({
      input: empty,
      delta: g.delta === undefined ? empty : toMatrix(g.delta[l - 1], [N, out], dtype, `gradients: ${symbolText('delta', l)}`),
      dW: toMatrix(g.dW[l - 1], [inW, out], dtype, `gradients: ${symbolText('dW', l)}`),
      db: asRow(toMatrix(g.db[l - 1], [out], dtype, `gradients: ${symbolText('db', l)}`)),
    });
  }
  const given: SymbolName[] = ['dW', 'db'];
  if (g.delta !== undefined) given.push('delta');
  if (g.loss !== undefined) given.push('loss');
  return { symbols: { loss: g.loss ?? NaN, layers }, given };
}
