// Custom ops. The primitive way is defineUserOp (./tape.ts): a forward on raw buffers returning { data, shape,
// backward }. customOp is the friendlier form: the forward is written with tensors and ops (it runs with recording
// off, so it costs no graph), and the backward gets the incoming gradient, the output and the inputs.
//
//   const softplus = customOp('softplus', {
//     // ln(1 + eˣ) = max(x, 0) + ln(1 + e^{−|x|}), stable for any x: a plain loop is fine in a forward
//     forward: (x) => new Tensor(x.data.map((v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))), x.shape),
//     backward: (g, out, x) => [mul(g, sigmoid(x))],                  // ∂/∂x ln(1 + eˣ) = σ(x), with ops
//   });
//
// Write the backward with ops (not raw loops) and it is differentiable too: backward({ createGraph: true }),
// hvp() and jvp() then work through the op. Check both with gradcheck and gradgradcheck.

import { shapeStr } from './kernels/index.ts';
import { noGrad } from './grad-mode.ts';
import { defineUserOp } from './tape.ts';
import { Tensor } from './tensor.ts';

export interface CustomOpDefinition<A extends Tensor[]> {
  /** The output from the inputs; runs under noGrad, so any ops or kernels may be used. */
  forward: (...inputs: A) => Tensor;
  /**
   * One gradient per input (null for none), given g = ∂L/∂out, the output and the inputs. Each must have its
   * input's shape and dtype. Written with ops, it can itself be differentiated.
   */
  backward: (g: Tensor, out: Tensor, ...inputs: A) => readonly (Tensor | null)[];
}

/** An op from a forward and a backward written with tensors: records on the tape like any built-in op. */
export function customOp<A extends Tensor[]>(name: string, definition: CustomOpDefinition<A>): (...inputs: A) => Tensor {
  const { forward, backward } = definition;
  if (typeof forward !== 'function' || typeof backward !== 'function') {
    throw new Error(`customOp ${name}: expected { forward, backward } functions`);
  }
  return defineUserOp(name, (...inputs: A) => {
    inputs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new Error(`${name}: input ${i} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
    });
    const out = noGrad(() => forward(...inputs));
    if (!(out instanceof Tensor)) throw new Error(`${name}: forward must return a Tensor, got ${out === null ? 'null' : typeof out}`);
    if (inputs.length > 0 && out.dtype !== inputs[0].dtype) {
      throw new Error(`${name}: forward returned ${out.dtype} ${shapeStr(out.shape)} from ${inputs[0].dtype} inputs; expected the inputs' dtype`);
    }
    // never share a buffer with an input: optimizers update parameters in place
    const shared = inputs.some((x) => x.data.buffer === out.data.buffer);
    return {
      data: shared ? out.data.slice() : out.data,
      shape: out.shape,
      backward: (g, o) => {
        const grads = backward(g, o, ...inputs);
        if (!Array.isArray(grads) || grads.length !== inputs.length) {
          throw new Error(`${name}: backward must return an array with one gradient (or null) per input, ${inputs.length} in all`);
        }
        return grads;
      },
    };
  });
}
