// The indexing, element-wise and comparison ops against PyTorch float64 (fixtures/generate_ops_extra.py): every
// case's output, and ∂Σ(out ⊙ upstream)/∂input for every input that takes a gradient, to 1e-10 relative.

import { describe, expect, it } from 'vitest';
import type { OpExtraReferenceCase } from '../../../fixtures/ops-extra-reference.ts';
import { opExtraReferenceCases } from '../../../fixtures/ops-extra-reference.ts';
import { tensor } from './creation.ts';
import type { GeluApproximation } from './ops/index.ts';
import * as ops from './ops/index.ts';
import { expectClose } from './testing/expect-close.ts';
import type { Tensor } from './tensor.ts';

type Args = Record<string, unknown>;
type Axes = number | number[] | null;
const num = (v: unknown) => v as number;
const axes = (v: unknown) => v as Axes;

/** How each fixture op is called: one line per op, the fixture's args passed through. */
const CALL: Record<string, (x: Tensor[], args: Args) => Tensor> = {
  select: ([a], { axis, index }) => ops.select(a, num(axis), num(index)),
  at: ([a], { index }) => a.at(num(index)),
  narrow: ([a], { axis, start, length }) => ops.narrow(a, num(axis), num(start), num(length)),
  slice: ([a], { axis, start, end, step }) => ops.slice(a, num(axis), start as number | null, end as number | null, num(step)),
  indexSelect: ([a], { axis, index }) => ops.indexSelect(a, num(axis), index as number[]),
  gather: ([a], { axis, index }) => ops.gather(a, num(axis), index as number[][]),
  cat: (xs, { axis }) => ops.cat(xs, num(axis)),
  stack: (xs, { axis }) => ops.stack(xs, num(axis)),
  unsqueeze: ([a], { axis }) => ops.unsqueeze(a, num(axis)),
  squeeze: ([a], { axis }) => ops.squeeze(a, axes(axis)),
  flatten: ([a], { startAxis, endAxis }) => ops.flatten(a, num(startAxis), num(endAxis)),
  view: ([a], { shape }) => a.view(shape as number[]),
  abs: ([a]) => ops.abs(a),
  clamp: ([a], { min, max }) => ops.clamp(a, min as number | null, max as number | null),
  maximum: ([a, b]) => ops.maximum(a, b),
  minimum: ([a, b]) => ops.minimum(a, b),
  where: ([c, a, b]) => ops.where(c, a, b),
  gt: ([a, b]) => ops.gt(a, b),
  lt: ([a, b]) => ops.lt(a, b),
  ge: ([a, b]) => ops.ge(a, b),
  le: ([a, b]) => ops.le(a, b),
  eq: ([a, b]) => ops.eq(a, b),
  ne: ([a, b]) => ops.ne(a, b),
  square: ([a]) => ops.square(a),
  log1p: ([a]) => ops.log1p(a),
  expm1: ([a]) => ops.expm1(a),
  erf: ([a]) => ops.erf(a),
  gelu: ([a], { approximate }) => ops.gelu(a, approximate as GeluApproximation),
  softplus: ([a], { beta, threshold }) => ops.softplus(a, num(beta), num(threshold)),
  elu: ([a], { alpha }) => ops.elu(a, num(alpha)),
  min: ([a], { axis, keepDims }) => ops.min(a, axes(axis), keepDims as boolean),
  argmax: ([a], { axis, keepDims }) => ops.argmax(a, axis as number | null, keepDims as boolean),
  argmin: ([a], { axis, keepDims }) => ops.argmin(a, axis as number | null, keepDims as boolean),
  logsumexp: ([a], { axis, keepDims }) => ops.logsumexp(a, axes(axis), keepDims as boolean),
  variance: ([a], { axis, keepDims, correction }) => ops.variance(a, axes(axis), keepDims as boolean, num(correction)),
  std: ([a], { axis, keepDims, correction }) => ops.std(a, axes(axis), keepDims as boolean, num(correction)),
};

const fixture = opExtraReferenceCases();

describe('new ops against PyTorch (float64)', () => {
  it('covers every op in the fixture, and the fixture every op called here', () => {
    expect(Object.keys(fixture).sort()).toEqual(Object.keys(CALL).sort());
  });
  const cases: OpExtraReferenceCase[] = Object.values(fixture).flat();
  it.each(cases.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', (_, c) => {
    const inputs = c.inputs.map((x, i) => tensor(x.data, { shape: x.shape, dtype: 'float64', requiresGrad: c.grads[i] !== null }));
    const out = CALL[c.op](inputs, c.args);
    expect(out.dtype).toBe('float64');
    expectClose(out, c.output, 1e-10, 'output');
    if (c.grads.every((g) => g === null)) {
      expect(out.requiresGrad, 'an op without a gradient is not recorded').toBe(false);
      return;
    }
    out.backward({ gradient: tensor(c.upstream.data, { shape: c.upstream.shape, dtype: 'float64' }) });
    c.grads.forEach((g, i) => {
      if (g !== null) expectClose(inputs[i].grad!, g, 1e-10, `gradient of input ${i}`);
    });
  });
});
