// What the tape keeps on each tensor, off the Tensor type users see: the node that produced it and the marks of
// the reverse walk. Every tensor carries these fields (the constructor sets them, so all tensors share one shape
// in V8, as fast as declared fields); only the tape reads them, through this view.
import type { Node } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import type { VersionCounter } from './versions.ts';

export interface TapeTensor extends Tensor {
  /** The recorded op that produced this tensor; null for leaves (and everything made under noGrad). */
  node: Node | null;
  /** Which walk is visiting this tensor (−walk once it has been ordered): see tape/walk.ts. */
  visitedBy: number;
  /** Which walk found it on a path to the tensors it differentiates for. */
  onPathOf: number;
  /** The gradient summed for it so far in that walk. */
  pendingGrad: Tensor | null;
  /** Its version counter (tape/versions.ts), shared with the tensors over the same buffer; null until first needed. */
  versionCounter: VersionCounter | null;
  /** What `.grad` returns (tape/grad-field.ts). */
  gradField: Tensor | null;
  /** For a gradient: whether code outside the library has read it through its tensor's `.grad` (or set it there). */
  gradSeen: boolean;
}

/** The tape's view of `t`. */
export function onTape(t: Tensor): TapeTensor {
  return t as TapeTensor;
}

/** The recorded op that produced `t`, or null for a leaf. */
export function nodeOf(t: Tensor): Node | null {
  return (t as TapeTensor).node;
}
