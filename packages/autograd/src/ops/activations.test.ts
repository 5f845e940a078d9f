import { describe, expect, it } from 'vitest';
import type { Shape } from '../kernels/index.ts';
import * as k from '../kernels/index.ts';
import { tensor, zeros } from '../creation.ts';
import { checkGrads } from '../testing/check-grads.ts';
import { gradgradcheck } from '../gradgradcheck.ts';
import { leakyRelu, linear, logSoftmax, mul, relu, sigmoid, sigmoidGrad, softmax, stepGrad, sum, tanh, tanhGrad } from './index.ts';

const SHAPES: Shape[] = [[3, 4], [2, 3, 4], [5]];

describe('element-wise activations', () => {
  it.each(SHAPES)('sigmoid, tanh, relu and leakyRelu gradients for %j', (...shape) => {
    checkGrads(sigmoid, [shape], { domain: [-4, 4] });
    checkGrads(tanh, [shape]);
    checkGrads(relu, [shape]);
    checkGrads((a) => leakyRelu(a), [shape]);
    checkGrads((a) => leakyRelu(a, 0.2), [shape]);
  });
  it('relu and leakyRelu take the derivative at exactly 0 from the left (0, slope), as PyTorch', () => {
    const a = tensor([-1, 0, 2], { requiresGrad: true });
    relu(a).sum().backward();
    expect(a.grad!.toArray()).toEqual([0, 0, 1]);
    const b = tensor([-1, 0, 2], { requiresGrad: true, dtype: 'float64' });
    leakyRelu(b, 0.2).sum().backward();
    expect(b.grad!.toArray()).toEqual([0.2, 0.2, 1]);
    expect(leakyRelu(tensor([-3, 3], { dtype: 'float64' })).toArray()).toEqual([-0.03, 3]);
  });
  it('stepGrad is the derivative applied to g: linear in g, with no gradient for a', () => {
    const g = tensor([2, 2, 2], { requiresGrad: true });
    const a = tensor([-1, 0, 2], { requiresGrad: true });
    const m = stepGrad(g, a, 0.5);
    expect(m.toArray()).toEqual([1, 1, 2]);
    m.sum().backward();
    expect(g.grad!.toArray()).toEqual([0.5, 0.5, 1]);
    expect(a.grad).toBeNull();
    expect(() => stepGrad(zeros([2]), zeros([3]))).toThrow('stepGrad: inputs are [2] and [3]; expected the same shape');
  });
  it('the fused backward ops have correct first and second derivatives', () => {
    checkGrads((g, s) => sigmoidGrad(g, s), [[3, 4], [3, 4]], { domain: [0.05, 0.95] });
    checkGrads((g, t) => tanhGrad(g, t), [[3, 4], [3, 4]], { domain: [-0.9, 0.9] });
    checkGrads((g) => stepGrad(g, tensor([[-1, 2, 0.5], [3, -0.2, -4]], { dtype: g.dtype }), 0.1), [[2, 3]]);
    const g = tensor([[0.3, -1.2, 0.7]], { dtype: 'float64', requiresGrad: true });
    const s = tensor([[0.2, 0.6, 0.9]], { dtype: 'float64', requiresGrad: true });
    expect(gradgradcheck((x, y) => sigmoidGrad(x, y), [g, s]).ok).toBe(true);
    expect(gradgradcheck((x, y) => tanhGrad(x, y), [g, s]).ok).toBe(true);
    expect(() => sigmoidGrad(zeros([2]), zeros([2, 1]))).toThrow('sigmoidGrad: inputs are [2] and [2, 1]; expected the same shape');
  });
  it('sigmoid and tanh saturate without overflow', () => {
    expect(sigmoid(tensor([-1000, 0, 1000])).toArray()).toEqual([0, 0.5, 1]);
    expect(tanh(tensor([-1000, 1000])).toArray()).toEqual([-1, 1]);
    const a = tensor([-1000, 1000], { requiresGrad: true });
    sigmoid(a).sum().backward();
    expect(a.grad!.toArray()).toEqual([0, 0]);
  });
  it("each rule's ⊙ act'(z) is the kernels' Activation.backward bit for bit (what the manual engine calls), fused in linear too", () => {
    const ops = { sigmoid, tanh, relu, leakyRelu: (a: ReturnType<typeof tensor>) => leakyRelu(a), identity: (a: ReturnType<typeof tensor>) => a };
    for (const dtype of ['float32', 'float64'] as const) {
      for (const name of k.ACTIVATION_NAMES) {
        const z = tensor([[-2.5, -0.3, 0, 0.7], [1.9, -4.1, 3.3, 0.05]], { dtype, requiresGrad: true });
        const g = tensor([[0.3, -1.7, 0.9, 2.2], [-0.6, 1.1, -0.2, 0.45]], { dtype });
        const act = k.activationByName(name);
        const a = act.f(z.data, k.allocate(dtype, 8));
        const want = Array.from(act.backward(g.data, z.data, a, k.allocate(dtype, 8)));
        sum(mul(ops[name](z), g)).backward();
        expect(Array.from(z.grad!.data), `${name} ${dtype}`).toEqual(want);
        if (!k.isFusedActivation(name)) continue;
        // a = act(x W + b) with W = I, b = 0: the gradient through linear's fused rule, then ∂L/∂x = ∂L/∂z Iᵀ (whose
        // sums turn −0 into +0)
        const x = tensor(z.toArray() as number[][], { dtype, requiresGrad: true });
        const I = tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], { dtype });
        sum(mul(linear(x, I, tensor([0, 0, 0, 0], { dtype }), name), g)).backward();
        expect(Array.from(x.grad!.data), `linear(…, '${name}') ${dtype}`).toEqual(want.map((v) => v + 0));
      }
    }
  });
  it('checks the slope', () => {
    expect(() => leakyRelu(zeros([2]), Number.NaN)).toThrow('leakyRelu: slope must be a finite number, got NaN');
  });
});

describe('softmax and logSoftmax', () => {
  const CASES: [Shape, number][] = [
    [[3, 4], -1],
    [[3, 4], 0],
    [[2, 3, 4], -1],
    [[2, 3, 4], 1],
    [[2, 3, 4], 0],
    [[1, 5], -1],
    [[5], 0],
  ];
  it.each(CASES)('gradients for %j along axis %d', (shape, axis) => {
    checkGrads((a) => softmax(a, axis), [shape]);
    checkGrads((a) => logSoftmax(a, axis), [shape]);
  });
  it('rows sum to 1 and stay finite for huge logits', () => {
    const p = softmax(tensor([[1000, 0, -1000], [1e30, -1e30, 0]], { dtype: 'float64' }));
    expect(p.toArray()).toEqual([[1, 0, 0], [1, 0, 0]]);
    const lp = logSoftmax(tensor([[1000, 0, -1000]], { dtype: 'float64' }));
    expect(lp.toArray()).toEqual([[0, -1000, -2000]]);
    expect(sum(softmax(tensor([[1, 2, 3]]), 1)).item()).toBeCloseTo(1, 6);
  });
  it('names a bad axis', () => {
    expect(() => softmax(zeros([2, 3]), 2)).toThrow('softmax: axis 2 is out of range for a tensor of rank 2');
    expect(() => logSoftmax(zeros([2, 3]), -3)).toThrow('logSoftmax: axis -3 is out of range for a tensor of rank 2');
  });
});
