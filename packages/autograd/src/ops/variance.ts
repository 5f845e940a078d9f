import * as k from '../kernels/index.ts';
import type { OpResult } from '../tape.ts';
import { defineOp } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { div } from './div.ts';
import { mean } from './mean.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';
import { reduction, unreduce } from './sum.ts';

/** The reduction of var/std: its axes and shapes, n elements per slice and the divisor n − correction. */
function spread(op: string, a: Tensor, axis: number | readonly number[] | null | undefined, keepDims: boolean, correction: number) {
  const r = reduction(op, a, axis, keepDims);
  if (typeof correction !== 'number' || !Number.isFinite(correction) || correction < 0) {
    throw new Error(`${op}: correction must be a non-negative number, got ${String(correction)}`);
  }
  let n = 1;
  for (const ax of r.axes) n *= a.shape[ax];
  if (n - correction <= 0 && k.sizeOf(r.shape) > 0) {
    throw new Error(
      `${op}: ${n} element${n === 1 ? '' : 's'} per slice (shape ${k.shapeStr(a.shape)}, axes [${r.axes.join(', ')}]) with correction ` +
        `${correction} leave${n === 1 ? 's' : ''} no degrees of freedom (n − correction = ${n - correction}); ` +
        'pass correction 0 for the population variance',
    );
  }
  return { ...r, divisor: n - correction };
}

/** (a − ā) · 2/(n − correction), the derivative of the variance, with ā the slice mean (written with ops). */
function deviation(a: Tensor, axes: readonly number[], scale: number): Tensor {
  return mul(sub(a, mean(a, axes, true)), scale);
}

/**
 * Variance over `axis` (one, a list, or all when omitted/null): Σ(a − ā)²/(n − correction), as `torch.var`, whose
 * default correction 1 gives the unbiased estimate; correction 0 is the population variance that LayerNorm and
 * BatchNorm normalise by. Named `variance` (`var` is reserved in JavaScript); the method is `x.var()`.
 */
export const variance = defineOp(
  'variance',
  (a: Tensor, axis?: number | readonly number[] | null, keepDims: boolean = false, correction: number = 1): OpResult => {
    const { axes, kept, shape, divisor } = spread('variance', a, axis, keepDims, correction);
    return {
      data: k.varianceAxes(a.data, a.shape, axes, correction, k.allocateUninitialized(a.dtype, k.sizeOf(shape))),
      shape,
      // ∂L/∂a = g · 2(a − ā)/(n − correction)
      backward(g) {
        return [mul(unreduce(g, kept, a.shape), deviation(a, axes, 2 / divisor))];
      },
    };
  },
);

/** Standard deviation: √variance, as `torch.std` (correction 1 by default; see variance). */
export const std = defineOp(
  'std',
  (a: Tensor, axis?: number | readonly number[] | null, keepDims: boolean = false, correction: number = 1): OpResult => {
    const { axes, kept, shape, divisor } = spread('std', a, axis, keepDims, correction);
    const data = k.varianceAxes(a.data, a.shape, axes, correction, k.allocateUninitialized(a.dtype, k.sizeOf(shape)));
    return {
      data: k.sqrt(data, data),
      shape,
      // ∂L/∂a = g/(2·out) · 2(a − ā)/(n − correction) = g · (a − ā)/((n − correction)·out)
      backward(g, out) {
        return [mul(unreduce(div(g, out), kept, a.shape), deviation(a, axes, 1 / divisor))];
      },
    };
  },
);
