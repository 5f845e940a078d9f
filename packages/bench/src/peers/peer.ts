import type { Batch } from '../datasets/dataset.ts';
import type { Matrix, NetworkSpec, Params } from '../engine.ts';

// Another library training the same network: the same parameters, the same batch, forward, mean softmax
// cross-entropy, backward and an SGD update, in float32 and in this process. Its gradients are checked against the
// manual engine before it is timed, like tapegrad's own engines.

export interface PeerGradients {
  readonly loss: number;
  /** ∂loss/∂W^l and ∂loss/∂b^l, layer l at index l − 1. */
  readonly dW: readonly Matrix[];
  readonly db: readonly Matrix[];
}

/** A peer loaded with one network and one batch. */
export interface PeerSession {
  /** Loss and gradients at the current parameters (changes nothing). */
  gradients(): PeerGradients;
  /** One full training step, waited for; returns the loss before it. */
  step(): number;
  /** Frees what the library holds. */
  dispose(): void;
}

export interface Peer {
  /** Shown in tables: 'tfjs-wasm', 'jax-js'. */
  readonly name: string;
  /** Starts the library; resolves to a line about it (version, backend), or throws why it cannot run here. */
  start(): Promise<string>;
  /** Loads the network, its float32 parameters and a batch, with the SGD learning rate. */
  load(spec: NetworkSpec, params: Params, batch: Batch, lr: number): PeerSession;
}

/** Row-major float32 copy of nested rows. */
export function float32Rows(rows: readonly (readonly number[])[]): Float32Array {
  const cols = rows.length === 0 ? 0 : rows[0].length;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => out.set(r, i * cols));
  return out;
}

/** One-hot rows (N × k) for class indices. */
export function oneHotRows(labels: Int32Array, k: number): Float32Array {
  const out = new Float32Array(labels.length * k);
  labels.forEach((c, r) => {
    out[r * k + c] = 1;
  });
  return out;
}
