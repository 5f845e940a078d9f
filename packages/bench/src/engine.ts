import type { ActivationName, DType, FloatArray } from '@tapegrad/autograd/kernels';
import type { Matrix, MLPParams } from '@tapegrad/manual';
import type { SymbolName } from './compare.ts';
import type { Batch } from './datasets/dataset.ts';

// What the bench needs from an engine, whichever way it computes: the autograd tape, the hand-written chapter,
// or (in the tests) a deliberately broken copy of the chapter. Everything is 0-based (the chapter's layer l at
// index l − 1), W^l is (in × out) and b^l a row of width out, as in the chapter and in `{ W, b }` parameters.

/** A flat row-major buffer with its shape: the manual engine's Matrix. */
export type { Matrix };

/** Parameters in the shared nested-array format (the manual engine's): W[l−1] is W^l as rows (in × out), b[l−1] is b^l. */
export type Params = MLPParams;

/** Parameters as flat buffers, 0-based. */
export interface FlatParams {
  readonly W: readonly Matrix[];
  readonly b: readonly Matrix[];
}

/** The chapter's symbols of one layer l for one batch. */
export interface LayerSymbols {
  /** a^{l−1}, the layer's input (x for l = 1; a^{l−1} = act(z^{l−1}) otherwise) (N × in) */
  readonly input: Matrix;
  /** δ^l = ∂loss/∂z^l (N × out) */
  readonly delta: Matrix;
  /** ∂loss/∂W^l = (a^{l−1})ᵀ δ^l (in × out) */
  readonly dW: Matrix;
  /** ∂loss/∂b^l = Σ_rows δ^l (out) */
  readonly db: Matrix;
}

/** Loss and symbols of every layer, layer l at index l − 1. Copies, owned by the caller. */
export interface Symbols {
  readonly loss: number;
  readonly layers: readonly LayerSymbols[];
}

export interface Engine {
  /** Shown in reports: 'autograd', 'manual', or a test's mutant. */
  readonly name: string;
  readonly dtype: DType;
  readonly sizes: readonly number[];
  /**
   * The parameters and symbols it gives, when not all of them (a user's engine may give only ∂loss/∂W and
   * ∂loss/∂b): the others are not compared. Read after symbols().
   */
  readonly provides?: readonly SymbolName[];
  /** Loads parameters (rounded to the engine's dtype). */
  setParams(params: Params): void;
  /** The current parameters (copies). */
  getParams(): FlatParams;
  /** Loss and every chapter symbol for `batch` at the current parameters; changes nothing. */
  symbols(batch: Batch): Symbols;
  /** One SGD step on `batch` (W ← W − lr ∂loss/∂W, the same for b), the engine's own way; the loss before it. */
  step(batch: Batch, lr: number): number;
  /** The forward pass alone (for timing); what it computes is kept for backward(). */
  forward(batch: Batch): void;
  /** The backward pass for the batch of the last forward(), leaving ∂loss/∂W, ∂loss/∂b (for timing; repeatable). */
  backward(): void;
}

/** Builds an engine of `dtype` for a network: the adapters and the tests' mutants all have this shape. */
export type EngineFactory = (spec: NetworkSpec, dtype: DType) => Engine;

export interface NetworkSpec {
  readonly sizes: readonly number[];
  /** One activation for every hidden layer, or one per hidden layer. */
  readonly activation: ActivationName | readonly ActivationName[];
}

/** The activation of each hidden layer, 0-based (hidden layer 1 at index 0). */
export function hiddenActivations(spec: NetworkSpec): ActivationName[] {
  const hidden = spec.sizes.length - 2;
  if (typeof spec.activation === 'string') return Array.from({ length: hidden }, () => spec.activation as ActivationName);
  if (spec.activation.length !== hidden) {
    throw new Error(`network ${spec.sizes.join('-')}: ${spec.activation.length} activations for ${hidden} hidden layers`);
  }
  return [...spec.activation];
}

const cache = new WeakMap<Batch, { float32?: Float32Array; float64?: Float64Array }>();

/** The batch's x in `dtype`, converted once per batch and shared by every engine (so none times a conversion). */
export function batchX(batch: Batch, dtype: DType): FloatArray {
  let entry = cache.get(batch);
  if (entry === undefined) {
    entry = {};
    cache.set(batch, entry);
  }
  if (dtype === 'float64') return batch.x;
  return (entry.float32 ??= Float32Array.from(batch.x));
}

/** Nested rows (rows × cols) of a flat buffer. */
export function toRows(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, j) => data[r * cols + j]));
}

/** The nested `{ W, b }` of flat parameters. */
export function toParams(p: FlatParams): { W: number[][][]; b: number[][] } {
  return {
    W: p.W.map((w) => toRows(w.data, w.shape[0], w.shape[1])),
    b: p.b.map((b) => Array.from(b.data)),
  };
}

/** Flat float64 copies of nested `{ W, b }`, checked against `sizes`. */
export function flattenParams(params: Params, sizes: readonly number[], where = 'params'): { W: Float64Array[]; b: Float64Array[] } {
  const n = sizes.length - 1;
  if (params.W.length !== n || params.b.length !== n) {
    throw new Error(`${where}: ${params.W.length} W and ${params.b.length} b for ${n} layers (sizes ${sizes.join('-')})`);
  }
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 1; l <= n; l++) {
    const rows = params.W[l - 1];
    const inW = sizes[l - 1];
    const out = sizes[l];
    if (rows.length !== inW || rows.some((r) => r.length !== out)) {
      throw new Error(`${where}: W^${l} is not ${inW} × ${out} (sizes ${sizes.join('-')})`);
    }
    if (params.b[l - 1].length !== out) throw new Error(`${where}: b^${l} has ${params.b[l - 1].length} entries, not ${out}`);
    const w = new Float64Array(inW * out);
    rows.forEach((r, i) => w.set(r, i * out));
    W.push(w);
    b.push(Float64Array.from(params.b[l - 1]));
  }
  return { W, b };
}
