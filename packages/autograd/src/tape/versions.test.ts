// Version counters: a tensor changed in place between the forward pass and backward() is refused, naming the op,
// the tensor and both versions; under detectAnomaly, raw writes to .data are refused too.
import { afterEach, describe, expect, it } from 'vitest';
import { crossEntropy, detectAnomaly, gradients, loadSafetensors, manualSeed, nn, optim, saveSafetensors, sigmoid, tensor } from '../index.ts';

afterEach(() => detectAnomaly(false));

const f64 = { dtype: 'float64', requiresGrad: true } as const;

describe('version counters', () => {
  it('count every in-place change the library makes, shared through detach()', () => {
    const x = tensor([1, 2], f64);
    expect(x.version).toBe(0);
    x.mul(x).sum().backward();
    const opt = new optim.SGD([x], { lr: 0.1 });
    opt.step();
    expect(x.version).toBe(1);
    const d = x.detach();
    d.zero_();
    expect(x.version).toBe(2);
    expect(d.version).toBe(2);
    const g = x.grad!;
    const before = g.version;
    x.mul(x).sum().backward(); // accumulated into .grad in place
    expect(g.version).toBe(before + 1);
    x.zeroGrad(); // zero-filled in place
    expect(g.version).toBe(before + 2);
    nn.utils.clipGradValue([x], 1);
    expect(g.version).toBe(before + 3);
    nn.init.constant(x, 1);
    expect(x.version).toBe(3);
  });

  it('refuse backward() after optimizer.step() changed a parameter the graph used, naming op, parameter and versions', () => {
    manualSeed(1);
    const model = nn.MLP([2, 3, 2], 'relu', { dtype: 'float64' });
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const x = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const loss1 = crossEntropy(model.call(x), [0, 1]);
    loss1.backward({ retainGraph: true });
    opt.step();
    const W = model.namedParameters()[2][1];
    expect(() => loss1.backward()).toThrow(
      `backward: one of the variables needed for gradient computation has been modified by an in-place operation: ` +
        `parameter 'layers.2.W' [3, 2] (float64), argument 1 of linear, is at version ${W.version}; ` +
        `expected version ${W.version - 1}, as when linear was recorded`,
    );
    // the same loop in the right order works: forward, backward, step
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      crossEntropy(model.call(x), [0, 1]).backward();
      opt.step();
    }
  });

  it('refuse backward() after loadStateDict(), loadSafetensors() or zero_() changed a leaf, and gradients() too', () => {
    const model = nn.MLP([2, 2], 'relu', { dtype: 'float64' });
    const x = tensor([[1, 2]], { dtype: 'float64' });
    const saved = model.stateDict();
    let loss = crossEntropy(model.call(x), [1]);
    model.loadStateDict(saved);
    expect(() => loss.backward()).toThrow(/parameter 'layers\.0\.W' \[2, 2\] \(float64\), argument 1 of linear, is at version 2; expected version 1/);
    loss = crossEntropy(model.call(x), [1]);
    const bytes = saveSafetensors(model);
    loss = crossEntropy(model.call(x), [1]);
    loadSafetensors(model, bytes);
    expect(() => loss.backward()).toThrow(/parameter 'layers\.0\.W' \[2, 2\] \(float64\), argument 1 of linear, is at version 3; expected version 2/);
    loss = crossEntropy(model.call(x), [1]);
    model.namedParameters()[1][1].zero_();
    expect(() => gradients(loss, model.parameters())).toThrow(
      /^gradients: one of the variables .* parameter 'layers\.0\.b' \[2\] \(float64\), argument 2 of linear, is at version 3; expected version 2/,
    );
  });

  it('give the version the graph expected after several changes, and its bound after many', () => {
    const w = tensor([1, 2], f64);
    const loss = w.mul(w).sum();
    for (let i = 0; i < 3; i++) w.zero_();
    expect(() => loss.backward({ retainGraph: true })).toThrow(/a float64 tensor \[2\], argument 0 of mul, is at version 3; expected version 0, as when mul was recorded/);
    const loss2 = w.mul(2).sum();
    for (let i = 0; i < 20; i++) w.zero_();
    expect(() => loss2.backward()).toThrow(/argument 0 of mul, is at version 23; expected version at most 15, as when mul was recorded/);
  });

  it('refuse backward() when the op output a rule reads was changed in place (through a detached view)', () => {
    const x = tensor([0.5, -1], f64);
    const y = sigmoid(x);
    y.detach().zero_();
    expect(() => y.sum().backward()).toThrow(/a float64 tensor \[2\], its output of sigmoid, is at version 1; expected version 0/);
  });

  it('detect a raw write to .data under detectAnomaly, naming the op and the tensor (the issue\'s repro)', () => {
    detectAnomaly(true);
    const x = tensor([0, 0], { requiresGrad: true });
    const y = x.mul(x).sum();
    x.data[0] = 3;
    expect(() => y.backward()).toThrow(
      'backward: anomaly: a float32 tensor [2], argument 0 of mul, was written to directly (its .data changed without an ' +
        'in-place operation, at version 0) after mul was recorded',
    );
    expect(x.grad).toBeNull();
    // unchanged data passes: the recorded graph's gradient 2x = [0, 0]
    x.data[0] = 0;
    const z = x.mul(x).sum();
    z.backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
  });
});
