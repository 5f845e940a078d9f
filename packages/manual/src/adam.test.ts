import { crossEntropy, nn, optim, Random, Tensor } from '@tapegrad/autograd';
import { describe, expect, it } from 'vitest';
import { ManualAdam } from './adam.ts';
import { ManualMLP } from './mlp.ts';

// ManualAdam and autograd's optim.Adam update with the same kernel: from the same parameters and batches, the
// manual engine's steps and nn.MLP's steps stay identical, bit for bit, as long as the gradients are.
describe('ManualAdam', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: 30 steps of ManualMLP.adamStep equal nn.MLP with optim.Adam, bit for bit`, () => {
      const sizes = [12, 16, 8, 3];
      const manual = new ManualMLP({ sizes, activation: 'relu', dtype, seed: 4 });
      const model = nn.MLP(sizes, 'relu', { dtype });
      const start = manual.getParams();
      model.parameters().forEach((p, i) => {
        const l = i >> 1;
        p.data.set(i % 2 === 0 ? start.W[l].flat() : start.b[l]);
      });
      const options = { lr: 0.01, betas: [0.8, 0.99] as const, eps: 1e-7, weightDecay: 0.001 };
      const opt = new optim.Adam(model.parameters(), options);
      const adam = new ManualAdam(options);
      const rng = new Random(9);
      for (let step = 0; step < 30; step++) {
        const x = (dtype === 'float32' ? new Float32Array(20 * 12) : new Float64Array(20 * 12)).map(() => rng.normal());
        const labels = Int32Array.from({ length: 20 }, () => rng.int(3));
        const lossManual = manual.adamStep({ data: x, shape: [20, 12] }, labels, adam);
        opt.zeroGrad();
        const loss = crossEntropy(model.call(new Tensor(x, [20, 12])), labels);
        loss.backward();
        opt.step();
        // the manual engine sums the float32 loss in float64; the parameters are what must agree exactly
        if (dtype === 'float64') expect(lossManual).toBe(loss.item());
        else expect(Math.abs(lossManual - loss.item())).toBeLessThan(1e-6 * Math.abs(lossManual));
      }
      const end = manual.getParams();
      model.parameters().forEach((p, i) => {
        const l = i >> 1;
        const want = i % 2 === 0 ? end.W[l].flat() : end.b[l];
        expect(Array.from(p.data)).toEqual(want);
      });
      expect(adam.t).toBe(30);
    });
  }

  it('rejects a negative or non-finite rate', () => {
    expect(() => new ManualAdam({ lr: -1 })).toThrow('ManualAdam: lr is -1; expected a finite number ≥ 0');
    expect(() => new ManualAdam({ eps: NaN })).toThrow('ManualAdam: eps is NaN');
  });
});
