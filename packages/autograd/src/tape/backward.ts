// backward(): the reverse walk from a root, its gradients accumulated into `.grad`.

import { allocate, allocateUninitialized, axpy, dtypeOf, sameShape, shapeStr, sizeOf } from '../kernels/index.ts';
import type { FloatArray } from '../kernels/index.ts';
import { Tensor, tensorOfOp } from '../tensor.ts';
import { rawGrad, setRawGrad } from './grad-field.ts';
import { nodeOf } from './marks.ts';
import { recycler } from './recycler.ts';
import { bumpVersion } from './versions.ts';
import { reverseWalk } from './walk.ts';

export interface BackwardOptions {
  /** ∂L/∂root, required when the root is not a scalar; defaults to 1 for a scalar. */
  gradient?: Tensor;
  /** Keep the graph so that backward() can go through it again. Defaults to `createGraph`, as in PyTorch. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so that the gradients it produces are differentiable. */
  createGraph?: boolean;
}

/** Adds `g` into the `.grad` of a leaf (or a tensor that called retainGrad()). */
// `g` may be shared with other gradients (add passes g through to both inputs; the seed is g of the root), so a
// `.grad` that will later be accumulated into in place must own its buffer: a copy, unless the buffer is one the
// recycler lent in this walk, which it hands over instead (release, which succeeds once per buffer, so a second
// tensor given the same buffer gets a copy). That saves copying every large parameter's gradient every step. A
// `.grad` recorded by createGraph is part of a graph and is never written into: accumulating into it makes a new
// tensor.
function accumulateGrad(t: Tensor, g: Tensor, createGraph: boolean): void {
  const grad = rawGrad(t);
  if (createGraph) {
    if (grad !== null) setRawGrad(t, grad.add(g));
    else setRawGrad(t, nodeOf(g) === null ? new Tensor(copyOf(g.data), t.shape) : g);
  } else if (grad === null) {
    setRawGrad(t, tensorOfOp(recycler.release(g.data) ? g.data : copyOf(g.data), t.shape));
  } else if (nodeOf(grad) !== null) {
    setRawGrad(t, new Tensor(axpy(1, g.data, copyOf(grad.data)), t.shape));
  } else {
    axpy(1, g.data, grad.data);
    bumpVersion(grad);
  }
}

/** A copy of `x` in a buffer of its own. (`slice()` zero-fills the new buffer before copying into it: two passes.) */
function copyOf(x: FloatArray): FloatArray {
  const out = allocateUninitialized(dtypeOf(x), x.length);
  out.set(x);
  return out;
}

/** Reverse-mode sweep from `root`: fills `.grad` of leaves that require grad (and of tensors that retain grad). */
export function backward(root: Tensor, options: BackwardOptions = {}): void {
  // a recorded backward pass refers to the forward graph (rules use their inputs and outputs), so differentiating
  // it again needs that graph: createGraph implies retainGraph unless told otherwise
  const { createGraph = false, retainGraph = createGraph } = options;
  if (!root.requiresGrad) {
    throw new Error(
      `backward: this tensor ${shapeStr(root.shape)} does not require grad, so there is nothing to differentiate; ` +
        `create its inputs with { requiresGrad: true }, outside noGrad()`,
    );
  }
  let seed: Tensor;
  if (options.gradient !== undefined) {
    const g = options.gradient;
    if (!sameShape(g.shape, root.shape) || g.dtype !== root.dtype) {
      throw new Error(
        `backward: gradient is ${g.dtype} ${shapeStr(g.shape)} but the tensor is ${root.dtype} ${shapeStr(root.shape)}; ` +
          `expected the same shape and dtype`,
      );
    }
    seed = g;
  } else {
    if (sizeOf(root.shape) !== 1) {
      throw new Error(
        `backward: the tensor has shape ${shapeStr(root.shape)}, not a scalar; backward() without a gradient needs one ` +
          `element — reduce it first (e.g. .sum()) or pass { gradient } of shape ${shapeStr(root.shape)}`,
      );
    }
    seed = tensorOfOp(allocate(root.dtype, 1).fill(1), root.shape); // ∂root/∂root = 1 (Tensor.full, minus a shape copy)
  }

  reverseWalk([root], [seed], { createGraph, retainGraph, caller: 'backward', recycle: true }, (t, g) => {
    if (nodeOf(t) === null || t.retainsGrad) accumulateGrad(t, g, createGraph);
  });
}
