// The one reverse walk behind backward() and gradients(): ordering, accumulation of the gradients arriving at each
// tensor, their shape and dtype checks, the check that a node's tensors were not changed since it was recorded
// (./versions.ts), and freeing the graph as it goes.

import { sameShape, shapeStr } from '../kernels/index.ts';
import { bufferPool, setBufferPool } from '../kernels/dtype.ts';
import { isAnomalyEnabled, setGradEnabled } from '../grad-mode.ts';
import type { Tensor } from '../tensor.ts';
import { checkFinite, runningBackward, setRunningBackward } from './anomaly.ts';
import type { TapeTensor } from './marks.ts';
import { recycler } from './recycler.ts';
import { checkUnchanged } from './versions.ts';

/** How a reverse walk runs: whether it records itself, keeps the graph, and which tensors it must reach. */
export interface WalkOptions {
  /** Record the backward pass itself, so that the gradients it produces are differentiable. */
  readonly createGraph: boolean;
  /** Keep every node's rule so that the graph can be walked again. */
  readonly retainGraph: boolean;
  /** When given, only paths that lead to one of these tensors are walked (torch.autograd.grad's inputs). */
  readonly only?: ReadonlySet<Tensor>;
  /** The public function walking, named in errors ('backward', 'gradients'). */
  readonly caller: string;
  /**
   * Run the rules with the tape's recycler as the kernels' buffer pool, and reclaim what they allocated when the
   * walk ends. Only for a walk whose gradients leave through accumulateGrad (backward()), which copies them into
   * `.grad` or takes their buffer from the recycler for good; it is skipped when the walk records itself
   * (createGraph) or goes through an op defined outside the library.
   */
  readonly recycle?: boolean;
}

/** Numbers each reverse walk, so that tensors can be marked as visited without a Set per walk. */
let walkCount = 0;

/**
 * Tensors reachable from `roots` through recorded nodes, each after every tensor it was computed from; with
 * `only`, just those on a path to one of its tensors. Every tensor returned gets `onPathOf = walk`.
 */
function topologicalOrder(roots: readonly TapeTensor[], options: WalkOptions, walk: number): TapeTensor[] {
  const { only, caller } = options;
  const order: TapeTensor[] = [];
  // Depth first, on an explicit stack: a tensor is pushed again beneath its inputs when first popped (visitedBy =
  // walk) and placed in `order` when popped the second time (visitedBy = −walk), after all of them. A tensor pushed
  // twice before it was expanded is skipped the second time.
  const stack: TapeTensor[] = roots.slice();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.visitedBy === -walk) continue;
    const node = t.node;
    if (t.visitedBy === walk) {
      t.visitedBy = -walk;
      if (only === undefined || only.has(t) || (node !== null && anyOnPath(node.inputs, walk))) {
        t.onPathOf = walk;
        order.push(t);
      }
      continue;
    }
    t.visitedBy = walk;
    stack.push(t);
    if (node === null) continue;
    if (node.backward === null) {
      throw new Error(
        `${caller}: the graph through ${node.op} has already been freed by an earlier backward pass; ` +
          `pass { retainGraph: true } to the first one to go through the graph a second time`,
      );
    }
    for (let i = 0; i < node.inputs.length; i++) {
      const x = node.inputs[i];
      if (x !== null && x.requiresGrad && x.visitedBy !== walk && x.visitedBy !== -walk) stack.push(x);
    }
  }
  return order;
}

/** Whether one of `inputs` was found on a path of walk `walk` (a loop, not `some` with a closure, in the hot walk). */
function anyOnPath(inputs: readonly (TapeTensor | null)[], walk: number): boolean {
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (x !== null && x.onPathOf === walk) return true;
  }
  return false;
}

/** Whether one of these tensors was made by an op defined outside the library. */
function throughUserOp(order: readonly TapeTensor[]): boolean {
  for (let i = 0; i < order.length; i++) {
    const node = order[i].node;
    if (node !== null && node.user) return true;
  }
  return false;
}

/** Adds `g` to the gradient summed so far for `t` in the running walk (the sum from the recycler when `recycling`). */
function addPending(t: TapeTensor, g: Tensor, recycling: boolean): void {
  if (t.pendingGrad === null) {
    t.pendingGrad = g;
    return;
  }
  const outer = recycling ? setBufferPool(recycler) : null;
  try {
    t.pendingGrad = t.pendingGrad.add(g);
  } finally {
    if (recycling) setBufferPool(outer);
  }
}

/**
 * The one reverse walk behind backward() and gradients(): starting from `seeds[i]` = ∂L/∂roots[i], it runs each
 * recorded rule once, after every tensor computed from that node's output has passed its gradient down, sums the
 * gradients arriving at each tensor, checks their shape and dtype, and calls `reached(t, g)` with each tensor's
 * total gradient.
 */
export function reverseWalk(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  options: WalkOptions,
  reached: (t: Tensor, g: Tensor) => void,
): void {
  const { createGraph, retainGraph, caller } = options;
  const walk = ++walkCount;
  const tapeRoots = roots as readonly TapeTensor[]; // every tensor carries the tape's fields (tape/marks.ts)
  const order = topologicalOrder(tapeRoots, options, walk);
  const recycling = options.recycle === true && !createGraph && !throughUserOp(order);
  // the switches the walk sets are put back in one place, the finally, after an error too; no closure or try per
  // node (on a small network the walk's own bookkeeping is a third of a step)
  const outerGradMode = setGradEnabled(createGraph);
  const outerOp = runningBackward();
  const outerPool = bufferPool();
  let finished = false;
  try {
    for (let i = 0; i < tapeRoots.length; i++) {
      if (tapeRoots[i].onPathOf === walk) addPending(tapeRoots[i], seeds[i], false);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = t.pendingGrad;
      if (g === null) continue;
      t.pendingGrad = null;
      reached(t, g);
      const node = t.node;
      if (node === null) continue;
      checkUnchanged(caller, node, t);
      setRunningBackward(node.op);
      if (recycling) setBufferPool(recycler);
      const inputGrads = node.backward!(g, t);
      if (recycling) setBufferPool(outerPool);
      setRunningBackward(outerOp);
      for (let j = 0; j < node.inputs.length; j++) {
        const x = node.inputs[j];
        const gx = inputGrads[j];
        if (x === null || x.onPathOf !== walk || gx === null || gx === undefined) continue;
        if (!sameShape(gx.shape, x.shape) || gx.dtype !== x.dtype) {
          throw new Error(
            `${caller}: ${node.op}'s backward returned a ${gx.dtype} gradient of shape ${shapeStr(gx.shape)} for argument ${j}, ` +
              `which is ${x.dtype} ${shapeStr(x.shape)}; expected the same shape and dtype`,
          );
        }
        if (isAnomalyEnabled()) checkFinite(`${node.op} (backward)`, `its gradient for argument ${j}`, gx.data, gx.shape);
        addPending(x, gx, recycling);
      }
      if (!retainGraph) {
        node.backward = null;
        node.inputs = [];
      }
    }
    finished = true; // every tensor of `order` has had its pendingGrad taken and cleared
  } finally {
    setGradEnabled(outerGradMode);
    setRunningBackward(outerOp);
    setBufferPool(outerPool);
    // after an error, clear what the walk left: no gradient outlives its walk
    if (!finished) for (const t of order) t.pendingGrad = null;
    if (recycling) recycler.reclaim();
  }
}
