import { describe, expect, it } from 'vitest';
import { tensor } from './creation.ts';
import { gradcheck } from './gradcheck.ts';
import { mul, sigmoid, sum } from './ops/index.ts';
import { defineOp } from './tape.ts';
import type { Tensor } from './tensor.ts';

// x² with a backward rule that forgets the factor 2: gradcheck must notice
const badSquare = defineOp('badSquare', (a: Tensor) => ({
  data: a.data.map((v) => v * v),
  shape: a.shape,
  backward: (g: Tensor) => [mul(g, a)],
}));

describe('gradcheck', () => {
  it('passes a correct op, in float64 and with a float32 analytic pass', () => {
    const x = tensor([[0.5, -1, 2], [0.1, 0.2, -0.3]], { requiresGrad: true });
    const w = tensor([1, 2, 3]);
    for (const dtype of ['float64', 'float32'] as const) {
      const r = gradcheck((a, b) => sigmoid(mul(a, b)), [x, w], { dtype });
      expect(r.ok, r.summary).toBe(true);
      expect(r.perInput[0].checked).toBe(true);
      expect(r.perInput[1].checked).toBe(false);
      expect(r.perInput[0].maxAbs).toBeLessThan(dtype === 'float64' ? 1e-8 : 1e-5);
    }
    expect(x.grad).toBeNull(); // the inputs themselves are left alone
  });
  it('catches a wrong backward rule and points at the worst element', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
    const r = gradcheck(badSquare, [x], { upstream: tensor([1, 1, 1]) }); // error x_j: largest at index 2
    expect(r.ok).toBe(false);
    expect(r.perInput[0].ok).toBe(false);
    expect(r.worst).toMatchObject({ input: 0, index: 2 });
    expect(r.worst!.numeric / r.worst!.analytic).toBeCloseTo(2, 6);
    expect(r.summary).toMatch(/^gradcheck \(float64\): FAILED; worst: input 0 \[3\] at flat index 2/);
  });
  it('checks every output element through the random upstream, or a given one', () => {
    // a rule that is right only for the sum of the outputs: (g ⊙ 1) summed, broadcast back
    const wrongForNonUniformG = defineOp('wrong', (a: Tensor) => ({
      data: a.data.map((v) => 2 * v),
      shape: a.shape,
      backward: (g: Tensor) => [mul(sum(g).div(a.size), 2).add(mul(a, 0))],
    }));
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(gradcheck(wrongForNonUniformG, [x]).ok).toBe(false);
    expect(gradcheck(wrongForNonUniformG, [x], { upstream: tensor([1, 1, 1]) }).ok).toBe(true);
  });
  it('explains bad calls', () => {
    expect(() => gradcheck(sigmoid, [tensor([1])])).toThrow('gradcheck: no input requires grad');
    expect(() => gradcheck(sigmoid, [tensor([1], { requiresGrad: true })], { upstream: tensor([1, 2]) })).toThrow(
      "gradcheck: upstream is [2] but fn's output is [1]; expected the same shape",
    );
  });
});
