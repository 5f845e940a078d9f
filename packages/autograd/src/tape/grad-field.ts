// A tensor's `.grad` as the library reads and writes it. Users go through Tensor's `grad` accessor, which marks the
// gradient it returns (or is given) as seen; the library goes through these, which do not. Why it matters: a
// gradient backward() made (accumulateGrad) owns its buffer, and once an optimizer's zeroGrad() drops it unseen,
// nothing can reach that buffer any more, so it goes back to the tape's recycler, and the next backward() writes the
// new gradient into it instead of into fresh memory. Without this a training loop allocated every parameter's
// gradient anew each step (0.94 MB a step for 784-256-128-10), which is what V8's full collections followed.
import type { Tensor } from '../tensor.ts';
import type { TapeTensor } from './marks.ts';
import { nodeOf } from './marks.ts';
import { recycler } from './recycler.ts';

/** `t.grad`, without marking it seen. */
export function rawGrad(t: Tensor): Tensor | null {
  return (t as TapeTensor).gradField;
}

/** `t.grad = g`, for a gradient the library made (not seen: it owns its buffer, which nothing else holds). */
export function setRawGrad(t: Tensor, g: Tensor | null): void {
  (t as TapeTensor).gradField = g;
}

/**
 * `t.grad = null` (zeroGrad's setToNone): the gradient's buffer goes back to the recycler when no code outside the
 * library has seen the gradient and it is no graph's (createGraph's gradients are recorded tensors).
 */
export function dropGrad(t: Tensor): void {
  const g = (t as TapeTensor).gradField;
  if (g === null) return;
  (t as TapeTensor).gradField = null;
  if (!(g as TapeTensor).gradSeen && nodeOf(g) === null) recycler.giveBack(g.data);
}
