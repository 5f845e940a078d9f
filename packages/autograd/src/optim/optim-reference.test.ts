// SGD, Adam and AdamW against PyTorch float64 trajectories (fixtures/optim-reference.json): the 4-5-3 tanh MLP,
// 9 optimizer configs × 25 steps of zeroGrad, loss, backward, step. Losses at every step and the parameters at
// steps 1, 10 and 25 must agree to 1e-10 relative.
import { describe, expect, it } from 'vitest';
import type { OptimReferenceConfig } from '../../../../fixtures/reference.ts';
import { optimReference } from '../../../../fixtures/reference.ts';
import { crossEntropy, matmul, noGrad, tanh, tensor } from '../index.ts';
import type { Tensor } from '../index.ts';
import { Adam } from './adam.ts';
import { AdamW } from './adamw.ts';
import type { Optimizer } from './optimizer.ts';
import { SGD } from './sgd.ts';

type Config = OptimReferenceConfig;
const fixture = optimReference();

/** torch's snake_case kwargs as our camelCase options. */
function camel(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));
}

function makeOptimizer(c: Config, params: Tensor[]): Optimizer<object> {
  const o = camel(c.options) as never;
  if (c.optimizer === 'SGD') return new SGD(params, o);
  if (c.optimizer === 'Adam') return new Adam(params, o);
  return new AdamW(params, o);
}

/** |a − b| / |b|, with |b| floored at 1e-8 so that entries that pass through ~0 do not dominate. */
function relErr(a: ArrayLike<number>, b: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-8));
  return worst;
}

function run(c: Config) {
  const { x: xs, labels, W, b } = fixture.problem;
  const x = tensor(xs, { dtype: 'float64' });
  const [W1, W2] = W.map((w) => tensor(w, { dtype: 'float64', requiresGrad: true }));
  const [b1, b2] = b.map((v) => tensor(v, { dtype: 'float64', requiresGrad: true }));
  const params = [W1, b1, W2, b2];
  const loss = () => crossEntropy(matmul(tanh(matmul(x, W1).add(b1)), W2).add(b2), labels); // mean CE of z² = tanh(x W¹ + b¹) W² + b²
  const opt = makeOptimizer(c, params);
  let worst = 0;
  for (let step = 1; step <= fixture.steps; step++) {
    opt.zeroGrad();
    const l = loss();
    worst = Math.max(worst, relErr([l.item()], [c.losses[step - 1]]));
    l.backward();
    opt.step();
    const ref = c.checkpoints[String(step)];
    if (ref !== undefined) {
      worst = Math.max(worst, relErr(W1.data, ref.W[0].flat()), relErr(W2.data, ref.W[1].flat()));
      worst = Math.max(worst, relErr(b1.data, ref.b[0]), relErr(b2.data, ref.b[1]));
    }
  }
  worst = Math.max(worst, relErr([noGrad(loss).item()], [c.finalLoss]));
  return worst;
}

describe('optimizers reproduce PyTorch float64 trajectories', () => {
  it('has the nine configs', () => {
    expect(fixture.configs.map((c) => c.name)).toHaveLength(9);
  });
  for (const c of fixture.configs) {
    it(`${c.name} (${c.optimizer} ${JSON.stringify(c.options)}): 25 steps to 1e-10 relative`, () => {
      const worst = run(c);
      console.log(`optim-reference ${c.name}: max relative error ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-10);
    });
  }
});
