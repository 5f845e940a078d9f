// Second derivatives of every op: gradgradcheck differentiates each recorded backward pass (createGraph) and
// compares with central differences of first derivatives, and checks each rule is differentiable in its incoming
// gradient (the 'cotangent' entry). Inputs are kept away from kinks (relu, leakyRelu, max) and poles (div, log).
import { describe, expect, it } from 'vitest';
import type { Tensor } from './index.ts';
import {
  add,
  cast,
  crossEntropy,
  div,
  exp,
  gradgradcheck,
  leakyRelu,
  linear,
  log,
  logSoftmax,
  matmul,
  matmulNT,
  matmulTN,
  max,
  mean,
  mse,
  mul,
  neg,
  pow,
  Random,
  relu,
  reshape,
  sigmoid,
  softmax,
  sqrt,
  sub,
  sum,
  tanh,
  tensor,
  transpose,
} from './index.ts';

const rng = new Random(7);

/** A float64 leaf of `shape` with entries uniform in [lo, hi), optionally with random signs. */
function input(shape: number[], lo = -2, hi = 2, signed = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, () => (lo + (hi - lo) * rng.uniform()) * (signed && rng.uniform() < 0.5 ? -1 : 1));
  return tensor(data, { shape, dtype: 'float64', requiresGrad: true });
}

/** Distinct values (gaps ≥ 0.3) in random order, so that max has a unique argmax and no kink nearby. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => -2 + 0.37 * i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return tensor(values, { shape, dtype: 'float64', requiresGrad: true });
}

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[]];

const cases: Case[] = [
  ['add [3,4]+[4]', (a, b) => add(a, b), () => [input([3, 4]), input([4])]],
  ['add [3,1]+[1,4] (then squared)', (a, b) => mul(add(a, b), add(a, b)), () => [input([3, 1]), input([1, 4])]],
  ['sub [2,3]−[]', (a, b) => sub(a, b), () => [input([2, 3]), input([])]],
  ['mul [3,4]⊙[4]', (a, b) => mul(a, b), () => [input([3, 4]), input([4])]],
  ['mul x⊙x', (a) => mul(a, a), () => [input([5])]],
  ['div [3,4]/[3,1]', (a, b) => div(a, b), () => [input([3, 4]), input([3, 1], 0.5, 2, true)]],
  ['div number/x', (a) => div(1.5, a), () => [input([4], 0.5, 2, true)]],
  ['pow tensor^tensor', (a, b) => pow(a, b), () => [input([3, 4], 0.4, 2.5), input([3, 4], -1.5, 2.5)]],
  ['pow x^3', (a) => pow(a, 3), () => [input([2, 3])]],
  ['pow x^0.5', (a) => pow(a, 0.5), () => [input([2, 3], 0.3, 3)]],
  ['pow 2^x', (a) => pow(2, a), () => [input([4])]],
  ['neg', (a) => neg(a), () => [input([3, 4])]],
  ['exp', (a) => exp(a), () => [input([2, 3, 4])]],
  ['log', (a) => log(a), () => [input([3, 4], 0.3, 3)]],
  ['sqrt', (a) => sqrt(a), () => [input([3, 4], 0.3, 3)]],
  ['sigmoid', (a) => sigmoid(a), () => [input([3, 4], -4, 4)]],
  ['tanh', (a) => tanh(a), () => [input([3, 4])]],
  ['relu (then squared)', (a) => mul(relu(a), a), () => [input([3, 4], 0.1, 2, true)]],
  ['relu', (a) => relu(a), () => [input([3, 4], 0.1, 2, true)]],
  ['leakyRelu 0.2 (then ⊙ x)', (a) => mul(leakyRelu(a, 0.2), a), () => [input([3, 4], 0.1, 2, true)]],
  ['matmul', (a, b) => matmul(a, b), () => [input([2, 3]), input([3, 4])]],
  ['matmul a·a (both paths)', (a) => matmul(a, a), () => [input([3, 3])]],
  ['matmulNT', (a, b) => matmulNT(a, b), () => [input([2, 3]), input([4, 3])]],
  ['matmulTN', (a, b) => matmulTN(a, b), () => [input([3, 2]), input([3, 4])]],
  ['linear', (x, W, b) => linear(x, W, b), () => [input([2, 3]), input([3, 4]), input([4])]],
  ['linear (then squared)', (x, W, b) => mul(linear(x, W, b), linear(x, W, b)), () => [input([3, 2]), input([2, 3]), input([3])]],
  ['softmax axis −1', (a) => softmax(a), () => [input([3, 4])]],
  ['softmax axis 0 of [2,3,4]', (a) => softmax(a, 0), () => [input([2, 3, 4])]],
  ['logSoftmax axis −1', (a) => logSoftmax(a), () => [input([3, 4])]],
  ['logSoftmax axis 1 of [2,3,4]', (a) => logSoftmax(a, 1), () => [input([2, 3, 4])]],
  ['crossEntropy with labels', (z) => crossEntropy(z, [2, 0, 3]), () => [input([3, 4])]],
  ['crossEntropy 1-D logits', (z) => crossEntropy(z, 1), () => [input([5])]],
  // targets that stay probability rows (as crossEntropy checks) however their logits u are perturbed
  ['crossEntropy with probability targets', (z, u) => crossEntropy(z, softmax(u)), () => [input([3, 4]), input([3, 4])]],
  ['mse', (a, b) => mse(a, b), () => [input([3, 4]), input([3, 4])]],
  ['sum all (then squared)', (a) => mul(sum(a), sum(a)), () => [input([3, 4])]],
  ['sum axis 1 keepDims', (a) => mul(sum(a, 1, true), a), () => [input([3, 4])]],
  ['sum axes [0, 2]', (a) => sum(mul(a, a), [0, 2]), () => [input([2, 3, 4])]],
  ['mean axis 0', (a) => mean(mul(a, a), 0), () => [input([3, 4])]],
  ['mean all keepDims', (a) => mul(mean(a, null, true), a), () => [input([3, 4])]],
  ['max axis −1', (a) => max(a, -1), () => [distinct([3, 4])]],
  ['max all (then ⊙ x)', (a) => mul(max(a), a), () => [distinct([3, 4])]],
  ['reshape [3,4]→[2,6] (then squared)', (a) => mul(reshape(a, [2, 6]), reshape(a, [2, 6])), () => [input([3, 4])]],
  ['transpose (then ⊙ xᵀ)', (a) => mul(transpose(a), transpose(a)), () => [input([3, 4])]],
  ['cast float64→float32→float64', (a) => cast(cast(mul(a, a), 'float32'), 'float64'), () => [input([4])]],
];

describe('gradgradcheck: second derivatives of every op agree with finite differences of first derivatives', () => {
  for (const [name, fn, inputs] of cases) {
    it(name, () => {
      // through float32 the first derivatives are rounded to ~6e-8, so cast needs a step much larger than that; its
      // s is quadratic in x and linear in v, so a large step costs no truncation error
      const result = gradgradcheck(fn, inputs(), name.startsWith('cast') ? { eps: 1e-2, atol: 1e-4 } : {});
      expect(result.ok, result.summary).toBe(true);
    });
  }

  it('catches a backward rule that is not differentiable (a rule built from raw numbers)', async () => {
    const { defineUserOp } = await import('./index.ts');
    const { Tensor } = await import('./tensor.ts');
    // square whose backward computes 2·x·g with plain arithmetic: right first derivative, no second derivative
    const badSquare = defineUserOp('badSquare', (x: Tensor) => ({
      data: x.data.map((v) => v * v),
      shape: x.shape,
      backward: (g: Tensor) => [new Tensor(g.data.map((gi, i) => 2 * x.data[i] * gi), x.shape)],
    }));
    const result = gradgradcheck((x) => badSquare(x), [input([3])]);
    expect(result.ok).toBe(false);
  });

  it('catches a rule written with ops that detaches what it differentiates (right first, wrong second derivative)', async () => {
    const { defineUserOp } = await import('./index.ts');
    const sq = (x: Tensor) => x.data.map((v) => v * v);
    const detachedSquare = defineUserOp('detachedSquare', (x: Tensor) => ({
      data: sq(x),
      shape: x.shape,
      backward: (g: Tensor) => [mul(g, mul(x.detach(), 2))], // ∂/∂x of x.detach() is lost
    }));
    const result = gradgradcheck((x) => detachedSquare(x), [input([3])]);
    expect(result.ok).toBe(false);
    expect(result.perInput[0].ok).toBe(false); // wrong in x …
    expect(result.perInput[1].ok).toBe(true); // … right in the incoming gradient
  });
});
