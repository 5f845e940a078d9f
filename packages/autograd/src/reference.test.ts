// The engine against an independent implementation: PyTorch float64 values committed in fixtures/ (see
// fixtures/README.md). Every op case is replayed (output and ∂Σ(out ⊙ upstream)/∂input), and every MLP case is run
// as a PyTorch-style forward (x W + b, activation, …, crossEntropy) with its loss, dW, db and δ^l = ∂loss/∂z^l.

import { describe, expect, it } from 'vitest';
import type { FlatTensor, MlpReferenceCase, OpReferenceCase } from '../../../fixtures/reference.ts';
import { mlpReferenceCases, opReferenceCases } from '../../../fixtures/reference.ts';
import { tensor } from './creation.ts';
import type { DType } from './kernels/index.ts';
import * as ops from './ops/index.ts';
import { expectClose } from './testing/expect-close.ts';
import type { Tensor } from './tensor.ts';

type Flat = FlatTensor;
type Args = OpReferenceCase['args'];
type Matrix = number[][];
type MlpCase = MlpReferenceCase;

const opsFixture = { ops: opReferenceCases() };
const mlpFixture = { cases: mlpReferenceCases() };

const flat = (m: number[] | Matrix): Flat =>
  Array.isArray(m[0]) ? { shape: [m.length, (m as Matrix)[0].length], data: (m as Matrix).flat() } : { shape: [m.length], data: m as number[] };

/** How each fixture op is called: one line per op, the fixture's args passed through. */
const CALL: Record<string, (x: Tensor[], args: Args) => Tensor> = {
  add: ([a, b]) => ops.add(a, b),
  sub: ([a, b]) => ops.sub(a, b),
  mul: ([a, b]) => ops.mul(a, b),
  div: ([a, b]) => ops.div(a, b),
  neg: ([a]) => ops.neg(a),
  pow: ([a, b], { exponent }) => ops.pow(a, b ?? exponent!),
  exp: ([a]) => ops.exp(a),
  log: ([a]) => ops.log(a),
  sqrt: ([a]) => ops.sqrt(a),
  matmul: ([a, b]) => ops.matmul(a, b),
  transpose: ([a]) => ops.transpose(a),
  reshape: ([a], { shape }) => ops.reshape(a, shape!),
  sum: ([a], { axis, keepDims }) => ops.sum(a, axis, keepDims),
  mean: ([a], { axis, keepDims }) => ops.mean(a, axis, keepDims),
  max: ([a], { axis, keepDims }) => ops.max(a, axis, keepDims),
  sigmoid: ([a]) => ops.sigmoid(a),
  tanh: ([a]) => ops.tanh(a),
  relu: ([a]) => ops.relu(a),
  leakyRelu: ([a], { slope }) => ops.leakyRelu(a, slope),
  softmax: ([a], { axis }) => ops.softmax(a, axis as number),
  logSoftmax: ([a], { axis }) => ops.logSoftmax(a, axis as number),
  crossEntropy: ([z, y], { labels }) => ops.crossEntropy(z, y ?? labels!),
  mse: ([a, b]) => ops.mse(a, b),
};

describe('ops against PyTorch (float64)', () => {
  it('covers every op in the fixture', () => {
    expect(Object.keys(opsFixture.ops).filter((name) => !(name in CALL))).toEqual([]);
  });
  const cases = Object.values(opsFixture.ops).flat();
  it.each(cases.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', (_, c) => {
    const inputs = c.inputs.map((x, i) => tensor(x.data, { shape: x.shape, dtype: 'float64', requiresGrad: c.grads[i] !== null }));
    const out = CALL[c.op](inputs, c.args);
    expectClose(out, c.output, 1e-10, 'output');
    out.backward({ gradient: tensor(c.upstream.data, { shape: c.upstream.shape, dtype: 'float64' }) });
    c.grads.forEach((g, i) => {
      if (g !== null) expectClose(inputs[i].grad!, g, 1e-10, `gradient of input ${i}`);
    });
  });
});

const ACTIVATION: Record<string, (z: Tensor) => Tensor> = {
  sigmoid: ops.sigmoid,
  tanh: ops.tanh,
  relu: ops.relu,
  leakyRelu: (z) => ops.leakyRelu(z), // PyTorch's default slope 0.01
  identity: (z) => z,
};

/** The chapter's network, PyTorch-style: z^l = a^{l−1} W^l + b^l, a^l = act(z^l), loss = crossEntropy(z^n, y). */
function runMlp(c: MlpCase, dtype: DType) {
  const W = c.W.map((w) => tensor(w, { dtype, requiresGrad: true }));
  const b = c.b.map((v) => tensor(v, { dtype, requiresGrad: true }));
  const n = W.length;
  const acts = typeof c.activation === 'string' ? Array<string>(n - 1).fill(c.activation) : c.activation;
  let a = tensor(c.x, { dtype });
  const z: Tensor[] = [];
  const hidden: Tensor[] = [];
  for (let l = 0; l < n; l++) {
    z.push(a.matmul(W[l]).add(b[l]).retainGrad());
    if (l < n - 1) hidden.push((a = ACTIVATION[acts[l]](z[l])));
  }
  const target = c.targetKind === 'indices' ? c.labels! : tensor(c.target!, { dtype });
  const loss = ops.crossEntropy(z[n - 1], target);
  loss.backward();
  return { loss, z, a: [...hidden, ops.softmax(z[n - 1])], W, b };
}

describe.each([
  ['float64', 1e-10],
  ['float32', 2e-5],
] as const)('MLP cases against PyTorch (%s, tolerance %s)', (dtype, tol) => {
  it.each(mlpFixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = runMlp(c, dtype);
    const e = c.expected;
    // float64 agrees to ~1e-15; in float32 (inputs rounded to float32 first) the worst case is a huge-logit one
    // (|z| ≈ 1000) at ≈ 8e-6 relative to max(1, |value|)
    expectClose(r.loss, { shape: [], data: [e.loss] }, tol, 'loss');
    for (let l = 0; l < r.W.length; l++) {
      expectClose(r.z[l], flat(e.z[l]), tol, `z^${l + 1}`);
      expectClose(r.a[l], flat(e.a[l]), tol, `a^${l + 1}`);
      expectClose(r.z[l].grad!, flat(e.delta[l]), tol, `δ^${l + 1}`);
      expectClose(r.W[l].grad!, flat(e.dW[l]), tol, `dW^${l + 1}`);
      expectClose(r.b[l].grad!, flat(e.db[l]), tol, `db^${l + 1}`);
    }
  });
});
