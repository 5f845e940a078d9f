// Function transforms in the manner of JAX and torch.func, over functions of tensors:
//   grad(f)(x) = ∇f(x)            valueAndGrad(f)(x) = [f(x), ∇f(x)]
//   vjp(f, x)  = [f(x), v ↦ vᵀ J]  jvp(f, [x], [t]) = [f(x), J t]      hvp(f, [x], [v]) = H v
// They never touch `.grad`: gradients come from gradients(), which is torch.autograd.grad — the tape's reverse
// walk restricted to the paths that reach the requested inputs, returning what it finds instead of accumulating.
// Transforms nest (grad(grad(f)) is the second derivative) and compose with backward(): inside a transform, or
// when f's output depends on other tensors that require grad, the backward pass is recorded too (see wantsGraph).

import { sameShape, shapeStr, sizeOf } from './kernels/index.ts';
import { enableGrad, isGradEnabled } from './grad-mode.ts';
import { nodeOf } from './tape/marks.ts';
import { reverseWalk } from './tape/walk.ts';
import { Tensor } from './tensor.ts';

export interface GradientsOptions {
  /** ∂L/∂output for each output (default 1 for scalar outputs; required otherwise). */
  gradOutputs?: Tensor | readonly (Tensor | null | undefined)[];
  /** Record the backward pass so the gradients are differentiable (default false). */
  createGraph?: boolean;
  /** Keep the graph for another backward pass (default: createGraph). */
  retainGraph?: boolean;
}

/**
 * ∂(Σ_k ⟨outputs_k, gradOutputs_k⟩)/∂inputs_i for each input: the vector–Jacobian product, like
 * torch.autograd.grad. Inputs may be leaves or intermediate tensors; an input no output depends on gets null.
 * Nothing is written to any tensor's `.grad`.
 */
export function gradients(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: GradientsOptions = {}): (Tensor | null)[] {
  const outs = outputs instanceof Tensor ? [outputs] : [...outputs];
  const { createGraph = false, retainGraph = createGraph } = options;
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`gradients: input ${i} is not a Tensor`);
    if (!x.requiresGrad) {
      throw new Error(`gradients: input ${i} (${shapeStr(x.shape)}) does not require grad, so no gradient can reach it; create it with { requiresGrad: true }`);
    }
  });
  const seeds = seedGradients(outs, options.gradOutputs);
  const wanted = new Set(inputs);
  const found = new Map<Tensor, Tensor>();
  const roots = outs.filter((o) => o.requiresGrad);
  reverseWalk(roots, seeds.filter((_, i) => outs[i].requiresGrad), { createGraph, retainGraph, only: wanted, caller: 'gradients' }, (t, g) => {
    if (wanted.has(t)) found.set(t, g);
  });
  return inputs.map((x) => found.get(x) ?? null);
}

function seedGradients(outs: readonly Tensor[], given: GradientsOptions['gradOutputs']): Tensor[] {
  const list = given === undefined ? [] : given instanceof Tensor ? [given] : given;
  if (given !== undefined && list.length !== outs.length) {
    throw new Error(`gradients: got ${list.length} gradOutputs for ${outs.length} outputs; expected one per output`);
  }
  return outs.map((o, i) => {
    if (!(o instanceof Tensor)) throw new Error(`gradients: output ${i} is not a Tensor`);
    const g = list[i];
    if (g === null || g === undefined) {
      if (sizeOf(o.shape) !== 1) {
        throw new Error(`gradients: output ${i} has shape ${shapeStr(o.shape)}, not a scalar; pass gradOutputs of that shape`);
      }
      return Tensor.full(o.shape, 1, o.dtype);
    }
    if (!sameShape(g.shape, o.shape) || g.dtype !== o.dtype) {
      throw new Error(`gradients: gradOutputs[${i}] is ${g.dtype} ${shapeStr(g.shape)} but output ${i} is ${o.dtype} ${shapeStr(o.shape)}; expected the same`);
    }
    return g;
  });
}

/** What a transform differentiates with respect to: a tensor, a list of tensors, or a record of tensors. */
export type TensorTree = Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

export interface TransformOptions {
  /** Record the backward pass so results are differentiable again (default: automatic, see the file comment). */
  createGraph?: boolean;
}

export interface GradOptions<N extends number | readonly number[] = number> extends TransformOptions {
  /** Which argument(s) to differentiate with respect to (default 0). */
  argnums?: N;
}

// How many transforms are running f right now: inside one, results must stay differentiable for the outer one.
let depth = 0;

function nested<T>(fn: () => T): T {
  depth++;
  try {
    return enableGrad(fn);
  } finally {
    depth--;
  }
}

/**
 * Whether this transform must record its backward pass so its results stay differentiable: when asked to, when
 * running inside another transform, or when f's output also depends on tensors on the tape other than the ones
 * differentiated (x mid-graph, or f closing over parameters) — as torch.func's transforms compose with backward().
 */
function wantsGraph(options: TransformOptions, xs: readonly Tensor[], out: unknown): boolean {
  if (options.createGraph !== undefined) return options.createGraph;
  if (!isGradEnabled()) return false;
  if (depth > 0 || xs.some((x) => !x.isLeaf)) return true;
  return out instanceof Tensor && dependsOnOtherLeaves(out, new Set(xs));
}

/** Whether `out` was computed from a leaf that requires grad and is not in `xs`. */
function dependsOnOtherLeaves(out: Tensor, xs: ReadonlySet<Tensor>): boolean {
  const seen = new Set<Tensor>();
  const stack = [out];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || !t.requiresGrad || xs.has(t)) continue;
    seen.add(t);
    const node = nodeOf(t);
    if (node === null) return true;
    for (const x of node.inputs) if (x !== null) stack.push(x);
  }
  return false;
}

function leavesOf(tree: unknown, where: string): Tensor[] {
  if (tree instanceof Tensor) return [tree];
  const values = Array.isArray(tree) ? tree : tree !== null && typeof tree === 'object' ? Object.values(tree) : null;
  if (values === null || values.length === 0 || !values.every((v) => v instanceof Tensor)) {
    throw new Error(`${where}: expected a Tensor, a list of Tensors or a record of Tensors, got ${tree === null ? 'null' : typeof tree}`);
  }
  return values as Tensor[];
}

function rebuild(tree: unknown, values: Tensor[]): TensorTree {
  if (tree instanceof Tensor) return values[0];
  if (Array.isArray(tree)) return values;
  return Object.fromEntries(Object.keys(tree as object).map((key, i) => [key, values[i]]));
}

/** A tensor to differentiate with respect to: x itself when it is already on the tape, else a leaf sharing x's data. */
function differentiable(x: Tensor): Tensor {
  return x.requiresGrad ? x : x.detach().requiresGrad_();
}

function zerosOrGrad(g: Tensor | null, x: Tensor): Tensor {
  return g ?? Tensor.full(x.shape, 0, x.dtype);
}

function valueAndGradImpl<A extends unknown[]>(
  where: string,
  f: (...args: A) => Tensor,
  args: A,
  options: GradOptions<number | readonly number[]>,
): [Tensor, TensorTree | TensorTree[]] {
  const argnums = options.argnums ?? 0;
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  const callArgs: unknown[] = [...args];
  const groups = list.map((n) => {
    if (!Number.isInteger(n) || n < 0 || n >= args.length) {
      throw new Error(`${where}: argnums ${n} is out of range for ${args.length} argument(s)`);
    }
    const originals = leavesOf(args[n], `${where}: argument ${n}`);
    const xs = originals.map(differentiable);
    callArgs[n] = rebuild(args[n], xs);
    return { n, xs };
  });
  const out: unknown = nested(() => f(...(callArgs as A)));
  if (!(out instanceof Tensor) || sizeOf(out.shape) !== 1) {
    const got = out instanceof Tensor ? `a tensor of shape ${shapeStr(out.shape)}` : typeof out;
    throw new Error(`${where}: f must return a scalar Tensor, got ${got}; reduce it (e.g. .sum()) or use vjp for non-scalar outputs`);
  }
  const all = groups.flatMap((g) => g.xs);
  const createGraph = wantsGraph(options, all, out);
  const gs = out.requiresGrad ? gradients(out, all, { createGraph }) : all.map(() => null);
  let k = 0;
  const trees = groups.map(({ n, xs }) => rebuild(args[n], xs.map((x) => zerosOrGrad(gs[k++], x))));
  return [createGraph ? out : out.detach(), typeof argnums === 'number' ? trees[0] : trees];
}

/** ∇f at the given arguments, with respect to argument `argnums` (default 0); f must return a scalar. */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, options?: GradOptions<0>): (...args: A) => A[0];
export function grad<A extends unknown[], N extends number>(f: (...args: A) => Tensor, options: GradOptions<N>): (...args: A) => A[N];
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions<readonly number[]>): (...args: A) => TensorTree[];
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions<number | readonly number[]> = {}) {
  return (...args: A) => valueAndGradImpl('grad', f, args, options)[1];
}

/** [f(args), ∇f(args)] from one forward and one backward pass (see grad()). */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, options?: GradOptions<0>): (...args: A) => [Tensor, A[0]];
export function valueAndGrad<A extends unknown[], N extends number>(
  f: (...args: A) => Tensor,
  options: GradOptions<N>,
): (...args: A) => [Tensor, A[N]];
export function valueAndGrad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  options: GradOptions<readonly number[]>,
): (...args: A) => [Tensor, TensorTree[]];
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions<number | readonly number[]> = {}) {
  return (...args: A) => valueAndGradImpl('valueAndGrad', f, args, options);
}

/**
 * [f(primals), vjpFn]: vjpFn(v) = vᵀ J, the gradient of ⟨f(primals), v⟩ with respect to each primal, for a v of
 * f's output shape. vjpFn can be called any number of times; the graph lives as long as vjpFn does.
 */
export function vjp(f: (...primals: Tensor[]) => Tensor, ...primals: Tensor[]): [Tensor, (cotangent: Tensor) => Tensor[]] {
  const xs = primals.map((x, i) => differentiable(leavesOf(x, `vjp: primal ${i}`)[0]));
  const out = nested(() => f(...xs));
  if (!(out instanceof Tensor)) throw new Error(`vjp: f must return a Tensor, got ${typeof out}`);
  const graphWanted = wantsGraph({}, xs, out);
  const vjpFn = (cotangent: Tensor): Tensor[] => {
    if (!out.requiresGrad) return xs.map((x) => zerosOrGrad(null, x));
    const createGraph = graphWanted || (isGradEnabled() && cotangent.requiresGrad);
    const gs = gradients(out, xs, { gradOutputs: cotangent, createGraph, retainGraph: true });
    return gs.map((g, i) => zerosOrGrad(g, xs[i]));
  };
  return [graphWanted ? out : out.detach(), vjpFn];
}

/**
 * [f(primals), J·tangents]: the Jacobian–vector product, by the double-vjp trick: g(u) = uᵀ J is linear in u, so
 * the vjp of g with cotangent t is J t. Needs backward rules that are differentiable in their incoming gradient.
 */
export function jvp(f: (...primals: Tensor[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): [Tensor, Tensor] {
  checkTangents('jvp', primals, tangents);
  const xs = primals.map(differentiable);
  const out = nested(() => f(...xs));
  if (!(out instanceof Tensor)) throw new Error(`jvp: f must return a Tensor, got ${typeof out}`);
  const createGraph = wantsGraph({}, xs, out);
  if (!out.requiresGrad) return [out, Tensor.full(out.shape, 0, out.dtype)];
  const u = Tensor.full(out.shape, 0, out.dtype).requiresGrad_(); // any u: g(u) is linear
  const gs = gradients(out, xs, { gradOutputs: u, createGraph: true });
  const live = gs.flatMap((g, i) => (g !== null && g.requiresGrad ? [[g, tangents[i]] as const] : []));
  if (live.length === 0) return [out, Tensor.full(out.shape, 0, out.dtype)];
  const [jt] = gradients(live.map(([g]) => g), [u], { gradOutputs: live.map(([, t]) => t), createGraph });
  return [createGraph ? out : out.detach(), zerosOrGrad(jt, out)];
}

/** The Hessian–vector products H·v of a scalar f at `primals`, one per primal (the gradient of ⟨∇f, v⟩). */
export function hvp(f: (...primals: Tensor[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): Tensor[] {
  checkTangents('hvp', primals, tangents);
  const xs = primals.map(differentiable);
  const out = nested(() => f(...xs));
  if (!(out instanceof Tensor) || sizeOf(out.shape) !== 1) throw new Error(`hvp: f must return a scalar Tensor`);
  const createGraph = wantsGraph({}, xs, out);
  if (!out.requiresGrad) return xs.map((x) => zerosOrGrad(null, x));
  const gs = gradients(out, xs, { createGraph: true });
  const pairs = gs.flatMap((g, i) => (g !== null && g.requiresGrad ? [[g, tangents[i]] as const] : []));
  if (pairs.length === 0) return xs.map((x) => zerosOrGrad(null, x));
  const hv = gradients(pairs.map(([g]) => g), xs, { gradOutputs: pairs.map(([, v]) => v), createGraph });
  return hv.map((g, i) => zerosOrGrad(g, xs[i]));
}

function checkTangents(where: string, primals: readonly Tensor[], tangents: readonly Tensor[]): void {
  if (primals.length !== tangents.length) {
    throw new Error(`${where}: got ${tangents.length} tangents for ${primals.length} primals; expected one per primal`);
  }
  primals.forEach((x, i) => {
    const t = tangents[i];
    if (!(x instanceof Tensor) || !(t instanceof Tensor)) throw new Error(`${where}: primal and tangent ${i} must be Tensors`);
    if (!sameShape(x.shape, t.shape) || x.dtype !== t.dtype) {
      throw new Error(`${where}: tangent ${i} is ${t.dtype} ${shapeStr(t.shape)} but primal ${i} is ${x.dtype} ${shapeStr(x.shape)}; expected the same`);
    }
  });
}
