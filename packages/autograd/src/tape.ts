// The tape: how an op is recorded, and the one reverse walk that turns recorded ops into gradients.
// Everything generic lives here — ordering, accumulation, shape/dtype checks of gradients, freeing the graph,
// anomaly checks — so that an op file holds only its maths: a forward and a backward side by side.

import type { FloatArray, Shape } from './kernels/index.ts';
import { allocate, allocateUninitialized, axpy, dtypeOf, firstNonFinite, sameShape, shapeStr, sizeOf } from './kernels/index.ts';
import { activeRecycler, BufferRecycler, setActiveRecycler } from './kernels/recycler.ts';
import { isAnomalyEnabled, isGradEnabled, setGradEnabled } from './grad-mode.ts';
import { Tensor, tensorOfOp } from './tensor.ts';

/**
 * A backward rule: given g = ∂L/∂out (and `out` itself), the gradient for each argument of the op, in argument
 * order. Entries for arguments that are not tensors (numbers, options) are ignored; `null` means "no gradient".
 * Rules are written with ops, not raw kernels, so that with `createGraph` the backward pass is itself recorded
 * and gradients can be differentiated again. Ops write their rule as a method, `backward(g) { … }`, not as an arrow
 * stored in a property: tsx's esbuild transform (keepNames) wraps every such arrow in a naming helper on each call,
 * which cost more than the rest of a small op (chapter step 31 µs → 12 µs).
 */
export type BackwardRule = (g: Tensor, out: Tensor) => readonly (Tensor | null | undefined)[];

/** What an op's forward returns: its output buffer and shape, and its backward rule. */
export interface OpResult {
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly backward: BackwardRule;
}

/** A recorded application of an op: the tape's only record type. */
export interface Node {
  readonly op: string;
  /** Defined outside the library (the public defineOp, customOp): its rule may keep what it is given. */
  readonly user: boolean;
  /** The op's arguments that were tensors, at their argument positions (null elsewhere). */
  inputs: readonly (Tensor | null)[];
  backward: BackwardRule | null;
}

/**
 * Defines an op from its forward. The returned function checks its tensor arguments share one dtype, runs the
 * forward, and — when grad mode is on and some tensor argument requires grad — records a Node for backward().
 */
export function defineOp<A extends unknown[]>(name: string, forward: (...args: A) => OpResult): (...args: A) => Tensor {
  return defineOpOf(name, forward, false);
}

/** defineOp for ops written outside the library (exported as `defineOp`; customOp uses it): see Node.user. */
export function defineUserOp<A extends unknown[]>(name: string, forward: (...args: A) => OpResult): (...args: A) => Tensor {
  return defineOpOf(name, forward, true);
}

function defineOpOf<A extends unknown[]>(name: string, forward: (...args: A) => OpResult, user: boolean): (...args: A) => Tensor {
  return (...args: A): Tensor => {
    let record = false;
    let dtype: string | null = null;
    for (let i = 0; i < args.length; i++) {
      const x = args[i];
      if (x instanceof Tensor) {
        if (dtype === null) dtype = x.dtype;
        else if (x.dtype !== dtype) {
          throw new Error(
            `${name}: dtype mismatch: argument ${i} is ${x.dtype} ${shapeStr(x.shape)} but an earlier tensor argument is ${dtype}; ` +
              `expected one dtype (convert with .to('${dtype}'))`,
          );
        }
        if (x.requiresGrad) record = true;
      }
    }
    const result = forward(...args);
    if (isAnomalyEnabled()) {
      // inside a backward rule, blame the op whose rule is running, and say which op inside it overflowed
      if (runningBackwardOf === null) checkFinite(name, 'its forward output', result.data, result.shape);
      else checkFinite(`${runningBackwardOf} (backward)`, `the output of ${name}`, result.data, result.shape);
    }
    // a user-defined op may reuse the shape array it returned, so its output gets a copy (the constructor's)
    const out = user ? new Tensor(result.data, result.shape) : tensorOfOp(result.data, result.shape);
    if (record && isGradEnabled()) {
      out.requiresGrad = true;
      const inputs: (Tensor | null)[] = new Array(args.length);
      for (let i = 0; i < args.length; i++) {
        const x = args[i];
        inputs[i] = x instanceof Tensor ? x : null;
      }
      out.node = { op: name, user, inputs, backward: result.backward };
    }
    return out;
  };
}

/** The op whose backward rule is running now (for anomaly messages), or null outside backward(). */
let runningBackwardOf: string | null = null;

function checkFinite(op: string, what: string, data: FloatArray, shape: Shape): void {
  const i = firstNonFinite(data);
  if (i >= 0) {
    throw new Error(`anomaly: ${op} produced ${data[i]} in ${what} (shape ${shapeStr(shape)}, flat index ${i})`);
  }
}

export interface BackwardOptions {
  /** ∂L/∂root, required when the root is not a scalar; defaults to 1 for a scalar. */
  gradient?: Tensor;
  /** Keep the graph so that backward() can go through it again. Defaults to `createGraph`, as in PyTorch. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so that the gradients it produces are differentiable. */
  createGraph?: boolean;
}

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
   * Run the rules with the tape's BufferRecycler active, and reclaim what they allocated when the walk ends. Only
   * for a walk whose gradients leave through accumulateGrad (backward()), which copies them into `.grad` or takes
   * their buffer from the recycler for good; it is skipped when the walk records itself (createGraph) or goes
   * through an op defined outside the library.
   */
  readonly recycle?: boolean;
}

/**
 * The buffers of backward()'s rules. Why none of them can outlive the walk that allocated them, except those
 * accumulateGrad takes: the rules run with recording off (no node keeps a tensor); the gradients they return live
 * only in pendingGrad, which the walk clears, and reach a `.grad` through accumulateGrad, which either copies them
 * or takes the buffer out of the recycler for good (release), once; the library's rules keep nothing they are
 * given or make (a walk through a user-defined op, whose rule might, does not recycle), and no rule writes into a
 * gradient it is given; and the seed comes from outside the walk. So at its end every buffer the recycler still
 * counts as lent is dead, and the next backward() reuses them.
 */
const recycler = new BufferRecycler();

/** What the tape's recycler has reused and made, and holds: for tests and benchmarks. */
export function recyclerStats(): { reused: number; made: number; heldBytes: number } {
  return { ...recycler.stats, heldBytes: recycler.heldBytes };
}

/** Lets go of the buffers backward() keeps for its next pass (like torch.cuda.empty_cache), e.g. between models. */
export function emptyCache(): void {
  recycler.empty();
}

/** Numbers each reverse walk, so that tensors can be marked as visited without a Set per walk. */
let walkCount = 0;

/**
 * Tensors reachable from `roots` through recorded nodes, each after every tensor it was computed from; with
 * `only`, just those on a path to one of its tensors. Every tensor returned gets `onPathOf = walk`.
 */
function topologicalOrder(roots: readonly Tensor[], options: WalkOptions, walk: number): Tensor[] {
  const { only, caller } = options;
  const order: Tensor[] = [];
  // Depth first, on an explicit stack: a tensor is pushed again beneath its inputs when first popped (visitedBy =
  // walk) and placed in `order` when popped the second time (visitedBy = −walk), after all of them. A tensor pushed
  // twice before it was expanded is skipped the second time.
  const stack: Tensor[] = roots.slice();
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
function anyOnPath(inputs: readonly (Tensor | null)[], walk: number): boolean {
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (x !== null && x.onPathOf === walk) return true;
  }
  return false;
}

/** Whether one of these tensors was made by an op defined outside the library. */
function throughUserOp(order: readonly Tensor[]): boolean {
  for (let i = 0; i < order.length; i++) {
    const node = order[i].node;
    if (node !== null && node.user) return true;
  }
  return false;
}

/** Adds `g` to the gradient summed so far for `t` in the running walk (the sum from the recycler when `recycling`). */
function addPending(t: Tensor, g: Tensor, recycling: boolean): void {
  if (t.pendingGrad === null) {
    t.pendingGrad = g;
    return;
  }
  const outer = recycling ? setActiveRecycler(recycler) : null;
  try {
    t.pendingGrad = t.pendingGrad.add(g);
  } finally {
    if (recycling) setActiveRecycler(outer);
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
  const order = topologicalOrder(roots, options, walk);
  const recycling = options.recycle === true && !createGraph && !throughUserOp(order);
  // the switches the walk sets are put back in one place, the finally, after an error too; no closure or try per
  // node (on a small network the walk's own bookkeeping is a third of a step)
  const outerGradMode = setGradEnabled(createGraph);
  const outerOp = runningBackwardOf;
  const outerRecycler = activeRecycler();
  let finished = false;
  try {
    for (let i = 0; i < roots.length; i++) {
      if (roots[i].onPathOf === walk) addPending(roots[i], seeds[i], false);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = t.pendingGrad;
      if (g === null) continue;
      t.pendingGrad = null;
      reached(t, g);
      const node = t.node;
      if (node === null) continue;
      runningBackwardOf = node.op;
      if (recycling) setActiveRecycler(recycler);
      const inputGrads = node.backward!(g, t);
      if (recycling) setActiveRecycler(outerRecycler);
      runningBackwardOf = outerOp;
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
    runningBackwardOf = outerOp;
    setActiveRecycler(outerRecycler);
    // after an error, clear what the walk left: no gradient outlives its walk
    if (!finished) for (const t of order) t.pendingGrad = null;
    if (recycling) recycler.reclaim();
  }
}

/** Adds `g` into the `.grad` of a leaf (or a tensor that called retainGrad()). */
// `g` may be shared with other gradients (add passes g through to both inputs; the seed is g of the root), so a
// `.grad` that will later be accumulated into in place must own its buffer: a copy, unless the buffer is one the
// recycler lent in this walk, which it hands over instead (release, which succeeds once per buffer, so a second
// tensor given the same buffer gets a copy). That saves copying every large parameter's gradient every step. A
// `.grad` recorded by createGraph is part of a graph and is never written into: accumulating into it makes a new
// tensor.
function accumulateGrad(t: Tensor, g: Tensor, createGraph: boolean): void {
  if (createGraph) {
    if (t.grad !== null) t.grad = t.grad.add(g);
    else t.grad = g.node === null ? new Tensor(copyOf(g.data), t.shape) : g;
  } else if (t.grad === null) {
    t.grad = tensorOfOp(recycler.release(g.data) ? g.data : copyOf(g.data), t.shape);
  } else if (t.grad.node !== null) {
    t.grad = new Tensor(axpy(1, g.data, copyOf(t.grad.data)), t.shape);
  } else {
    axpy(1, g.data, t.grad.data);
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
    if (t.node === null || t.retainsGrad) accumulateGrad(t, g, createGraph);
  });
}
