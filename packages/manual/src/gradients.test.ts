import type { ActivationName, DType } from '@tapegrad/autograd/kernels';
import { ACTIVATION_NAMES, Random } from '@tapegrad/autograd/kernels';
import { describe, expect, it } from 'vitest';
import { centralDifferences, expectGradientsClose } from './finite-differences.test-helper.ts';
import { ManualMLP } from './mlp.ts';
import type { XInput, YInput } from './types.ts';

// The analytic gradients of backward() against float64 central differences, for every activation, 0–5 hidden
// layers, a single sample and a batch, both dtypes and both forms of y.

const HIDDEN_WIDTHS = [4, 3, 5, 4, 3];
const D = 3;
const K = 4;

interface Problem {
  net: ManualMLP;
  x: number[][];
  labels: number[];
}

/** A seeded network and batch whose ReLU-family pre-activations stay clear of the kink at 0 (|z| > 1e-3). */
function problem(activation: ActivationName, depth: number, N: number, dtype: DType): Problem {
  const sizes = [D, ...HIDDEN_WIDTHS.slice(0, depth), K];
  for (let seed = 1; seed < 100; seed++) {
    const rng = new Random(1000 * seed + 10 * depth + N);
    const net = new ManualMLP({ sizes, activation, dtype, seed });
    const x = Array.from({ length: N }, () => Array.from({ length: D }, () => Math.fround(rng.normal())));
    const labels = Array.from({ length: N }, () => rng.int(K));
    const trace = net.trace(x, labels);
    const clear = trace.layers.slice(0, -1).every((L) => L.z.data.every((v) => Math.abs(v) > 1e-3));
    if (clear || (activation !== 'relu' && activation !== 'leakyRelu')) return { net, x, labels };
  }
  throw new Error('no kink-free problem found');
}

/** x and y in the forms a caller would use: one flat row and one index/one-hot row for N = 1, else batches. */
function inputs(p: Problem, form: 'indices' | 'onehot', dtype: DType): { x: XInput; y: YInput } {
  const N = p.x.length;
  const oneHotRows = p.labels.map((k) => Array.from({ length: K }, (_, j) => (j === k ? 1 : 0)));
  const y: YInput = form === 'indices' ? (N === 1 ? p.labels[0] : p.labels) : N === 1 ? oneHotRows[0] : oneHotRows;
  const x: XInput = N === 1 ? p.x[0] : dtype === 'float32' ? { data: Float32Array.from(p.x.flat()), shape: [N, D] } : p.x;
  return { x, y };
}

const cases: [ActivationName, number, number, DType, 'indices' | 'onehot'][] = [];
for (const activation of ACTIVATION_NAMES)
  for (let depth = 0; depth <= 5; depth++)
    for (const N of [1, 4])
      for (const dtype of ['float64', 'float32'] as const) for (const form of ['indices', 'onehot'] as const) cases.push([activation, depth, N, dtype, form]);

describe('backward agrees with float64 central differences', () => {
  it.each(cases)('%s, %i hidden layers, N = %i, %s, y as %s', (activation, depth, N, dtype, form) => {
    const p = problem(activation, depth, N, dtype);
    const { x, y } = inputs(p, form, dtype);
    const numeric = centralDifferences({ sizes: p.net.sizes, activation }, p.net.getParams(), x, y);
    const analytic = p.net.lossAndGrads(x, y);
    expect(analytic.dW).toHaveLength(depth + 1);
    if (dtype === 'float64') expectGradientsClose(analytic, numeric, 1e-8, 1e-6);
    else expectGradientsClose(analytic, numeric, 1e-4, 1e-3);
  });

  it('a list of different activations, one per hidden layer', () => {
    const activation: ActivationName[] = ['tanh', 'sigmoid', 'identity', 'leakyRelu'];
    const sizes = [3, 4, 5, 4, 3, 4];
    const net = new ManualMLP({ sizes, activation, dtype: 'float64', seed: 7 });
    const rng = new Random(7);
    const x = Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => rng.normal()));
    const y = [0, 3, 1, 2, 2];
    expect(net.activations).toEqual(activation);
    expectGradientsClose(net.lossAndGrads(x, y), centralDifferences({ sizes, activation }, net.getParams(), x, y), 1e-8, 1e-6);
  });

  it('probability targets { probabilities } (δ^n = (a^n − y)/N holds for any rows that sum to 1)', () => {
    const sizes = [3, 5, 3];
    const net = new ManualMLP({ sizes, activation: 'tanh', dtype: 'float64', seed: 3 });
    const x = [
      [0.2, -1.1, 0.7],
      [1.3, 0.4, -0.2],
    ];
    const y = { probabilities: [
      [0.2, 0.5, 0.3],
      [0.9, 0, 0.1],
    ] };
    expectGradientsClose(net.lossAndGrads(x, y), centralDifferences({ sizes, activation: 'tanh' }, net.getParams(), x, y), 1e-8, 1e-6);
  });
});
