// The tape: how an op is recorded. Everything generic lives on the tape — recording here; ordering, accumulation,
// shape/dtype checks of gradients and freeing the graph in the reverse walk (tape/walk.ts), backward() and its
// gradients' buffers (tape/backward.ts, tape/recycler.ts), anomaly checks (tape/anomaly.ts), the check that nothing a
// rule reads was changed in place since it was recorded (tape/versions.ts) — so that an op file
// holds only its maths: a forward and a backward side by side.

import type { FloatArray, Shape } from './kernels/index.ts';
import { shapeStr } from './kernels/index.ts';
import { isAnomalyEnabled, isGradEnabled } from './grad-mode.ts';
import { checkFinite, runningBackward } from './tape/anomaly.ts';
import type { TapeTensor } from './tape/marks.ts';
import { onTape } from './tape/marks.ts';
import { checksum, clockNow } from './tape/versions.ts';
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
  /** Defined outside the library (defineUserOp, customOp): its rule may keep what it is given. */
  readonly user: boolean;
  /** The op's arguments that were tensors, at their argument positions (null elsewhere). */
  inputs: readonly (TapeTensor | null)[];
  /** The version clock when the op was recorded: an argument or output changed in place since is refused (tape/versions.ts). */
  readonly recordedAt: number;
  /** Under detectAnomaly, a checksum of each input's buffer when the op was recorded (0 for non-tensors); else null. */
  readonly checksums: readonly number[] | null;
  backward: BackwardRule | null;
}

/**
 * Defines one of the library's ops from its forward. The returned function checks its tensor arguments share one dtype, runs the
 * forward, and — when grad mode is on and some tensor argument requires grad — records a Node for backward().
 */
export function defineOp<A extends unknown[]>(name: string, forward: (...args: A) => OpResult): (...args: A) => Tensor {
  return defineOpOf(name, forward, false);
}

/**
 * defineOp for ops written outside the library (the public way; customOp uses it): the output gets its own copy of
 * the shape the forward returns, and backward() does not recycle buffers through it, since its rule may keep what
 * it is given (see Node.user).
 */
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
      const running = runningBackward();
      if (running === null) checkFinite(name, 'its forward output', result.data, result.shape);
      else checkFinite(`${running} (backward)`, `the output of ${name}`, result.data, result.shape);
    }
    // a user-defined op may reuse the shape array it returned, so its output gets a copy (the constructor's)
    const out = user ? new Tensor(result.data, result.shape) : tensorOfOp(result.data, result.shape);
    if (record && isGradEnabled()) {
      out.requiresGrad = true;
      const inputs: (TapeTensor | null)[] = new Array(args.length);
      const checksums: number[] | null = isAnomalyEnabled() ? new Array(args.length).fill(0) : null;
      for (let i = 0; i < args.length; i++) {
        const x = args[i];
        if (x instanceof Tensor) {
          inputs[i] = onTape(x);
          if (checksums !== null) checksums[i] = checksum(x.data);
        } else {
          inputs[i] = null;
        }
      }
      onTape(out).node = { op: name, user, inputs, recordedAt: clockNow(), checksums, backward: result.backward };
    }
    return out;
  };
}
