import { describe, expect, it } from 'vitest';
import { crossEntropy, manualSeed, matmul, nn, Random, randn, relu, sigmoid, tanh, Tensor, tensor } from '../index.ts';
import { backendAvailable, getBackend, KERNEL_BACKENDS, setBackend } from '../kernels/index.ts';
import { nodeOf } from '../tape/marks.ts';

describe('Linear', () => {
  it('computes z = a W + b with W: in × out, for a batch and for one row', () => {
    const layer = new nn.Linear(2, 3, { dtype: 'float64' });
    layer.W.data.set([1, 2, 3, 4, 5, 6]); // [[1, 2, 3], [4, 5, 6]]
    layer.b!.data.set([0.5, -1, 0]);
    const x = tensor([[1, 1], [2, 0]], { dtype: 'float64' });
    expect(layer.call(x).toArray()).toEqual([[5.5, 6, 9], [2.5, 3, 6]]);
    expect(layer.call(tensor([1, 1], { dtype: 'float64' })).toArray()).toEqual([5.5, 6, 9]);
    expect(layer.W.shape).toEqual([2, 3]);
    expect(layer.b!.shape).toEqual([3]);
  });

  it('gets gradients for W and b through backward', () => {
    const layer = new nn.Linear(3, 2, { dtype: 'float64', rng: new Random(1) });
    const x = randn([4, 3], { dtype: 'float64', rng: new Random(2) });
    crossEntropy(layer.call(x), [0, 1, 1, 0]).backward();
    expect(layer.W.grad!.shape).toEqual([3, 2]);
    expect(layer.b!.grad!.shape).toEqual([2]);
  });

  it('starts from the seeded generator: same seed, same weights; PyTorch default bounds ±1/√in', () => {
    manualSeed(5);
    const a = new nn.Linear(16, 4);
    manualSeed(5);
    const b = new nn.Linear(16, 4);
    expect(Array.from(a.W.data)).toEqual(Array.from(b.W.data));
    expect(Math.max(...a.W.data.map(Math.abs))).toBeLessThanOrEqual(0.25);
    const c = new nn.Linear(16, 4, { rng: new Random(5) });
    const d = new nn.Linear(16, 4, { rng: new Random(5) });
    expect(Array.from(c.b!.data)).toEqual(Array.from(d.b!.data));
  });

  it('takes an init by name or as a function, and can drop the bias', () => {
    const l = new nn.Linear(3, 2, { init: (W) => W.data.fill(0.5), bias: false, dtype: 'float64' });
    expect(l.b).toBeNull();
    expect(l.namedParameters().map(([n]) => n)).toEqual(['W']);
    expect(l.call(tensor([[1, 2, 3]], { dtype: 'float64' })).toArray()).toEqual([[3, 3]]);
    const k = new nn.Linear(3, 2, { init: 'kaimingNormal' });
    expect(Array.from(k.b!.data)).toEqual([0, 0]);
    expect(() => new nn.Linear(3, 2, { init: 'he' as never })).toThrow(/unknown init "he"/);
  });

  it('names the layer and both shapes when the input does not fit', () => {
    const layer = new nn.Linear(4, 3);
    expect(() => layer.call(tensor([[1, 2, 3]]))).toThrow('Linear(4 → 3): input is [1, 3]; expected [N, 4] or [4]');
    expect(() => new nn.Linear(0, 3)).toThrow(/in must be a positive integer, got 0/);
  });
});

describe('Module', () => {
  class Net extends nn.Module {
    fc1 = new nn.Linear(4, 8, { rng: new Random(1) });
    act = new nn.Tanh();
    heads = [new nn.Linear(8, 3, { rng: new Random(2) }), new nn.Linear(8, 2, { rng: new Random(3) })];
    scale = tensor([2]); // a constant buffer: saved, not trained
    forward(x: Tensor): Tensor {
      return this.heads[0].call(this.act.call(this.fc1.call(x))).mul(this.scale);
    }
  }

  it('finds parameters in fields and arrays, in definition order, with dotted names', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['fc1.W', 'fc1.b', 'heads.0.W', 'heads.0.b', 'heads.1.W', 'heads.1.b']);
    expect(net.namedTensors().map(([n]) => n)).toContain('scale');
    expect(net.parameters()).toHaveLength(6);
    expect(net.numParameters()).toBe(4 * 8 + 8 + 8 * 3 + 3 + 8 * 2 + 2);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'act', 'heads.0', 'heads.1']);
  });

  it('lists a shared parameter once', () => {
    const shared = new nn.Linear(3, 3);
    const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['layers.0.W', 'layers.0.b']);
  });

  it('zeroGrad clears gradients (to null by default, zero-filled on request)', () => {
    const net = new Net();
    net.call(randn([2, 4])).sum().backward();
    expect(net.fc1.W.grad).not.toBeNull();
    net.zeroGrad({ setToNone: false });
    expect(Array.from(net.fc1.W.grad!.data).every((v) => v === 0)).toBe(true);
    net.zeroGrad();
    expect(net.fc1.W.grad).toBeNull();
  });

  it('a user module may take several inputs', () => {
    class Bilinear extends nn.Module {
      W = tensor([[1, 0], [0, 2]], { requiresGrad: true });
      forward(a: Tensor, b: Tensor): Tensor {
        return matmul(a, this.W).mul(b).sum(1);
      }
    }
    expect(new Bilinear().call(tensor([[1, 1]]), tensor([[3, 4]])).toArray()).toEqual([11]);
  });

  it('train()/eval() set the mode on every submodule', () => {
    const net = new Net();
    net.eval();
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.heads[1].training).toBe(true);
  });
});

describe('Sequential and MLP', () => {
  it('Sequential applies its layers in order and names parameters layers.i.*', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 4, { rng: new Random(1) }), new nn.ReLU(), new nn.Linear(4, 3, { rng: new Random(2) }));
    const x = randn([5, 2], { rng: new Random(3) });
    const [l0, , l2] = seq.layers as [nn.Linear, nn.ReLU, nn.Linear];
    const expected = matmul(relu(matmul(x, l0.W).add(l0.b!)), l2.W).add(l2.b!);
    expect(Array.from(seq.call(x).data)).toEqual(Array.from(expected.data));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['layers.0.W', 'layers.0.b', 'layers.2.W', 'layers.2.b']);
    expect(() => new nn.Sequential({} as nn.Module)).toThrow('Sequential: argument 0 is not a Module');
  });

  describe.each(KERNEL_BACKENDS.filter((name) => backendAvailable(name)))('a Linear and the activation after it run as one linear op, on the %s backend', (backend) => {
    const ops = { ReLU: relu, Sigmoid: sigmoid, Tanh: tanh } as const;
    it.each(Object.keys(ops) as (keyof typeof ops)[])('%s: values and gradients bit for bit those of its layers one by one', (name) => {
      const before = getBackend();
      setBackend(backend);
      try {
        // wide enough for the wasm and native product forms (and their fused bias and activation)
        const seq = new nn.Sequential(new nn.Linear(40, 48, { rng: new Random(1) }), new nn[name](), new nn.Linear(48, 5, { rng: new Random(2) }));
        const [l0, , l2] = seq.layers as [nn.Linear, nn.Module, nn.Linear];
        const x = randn([33, 40], { rng: new Random(3) });
        const labels = Array.from({ length: 33 }, (_, i) => i % 5);
        const out = seq.call(x);
        // one node for the layer and its activation: the hidden output was made by linear, not by the activation
        expect(nodeOf(nodeOf(out)!.inputs[0]!)!.op).toBe('linear');
        crossEntropy(out, labels).backward();
        const fused = seq.parameters().map((p) => Array.from(p.grad!.data));
        for (const p of seq.parameters()) p.grad = null;
        // one by one: the layers' own ops, no fusion
        const z = ops[name](matmul(x, l0.W).add(l0.b!));
        const want = matmul(z, l2.W).add(l2.b!);
        crossEntropy(want, labels).backward();
        expect(Array.from(out.data)).toEqual(Array.from(want.data));
        expect(fused).toEqual(seq.parameters().map((p) => Array.from(p.grad!.data)));
      } finally {
        setBackend(before);
      }
    });
  });

  it("fuses only the library's own classes, and a Linear without bias applies the activation after its product", () => {
    class Doubled extends nn.ReLU {
      override forward(x: Tensor): Tensor {
        return super.forward(x).mul(2);
      }
    }
    const l0 = new nn.Linear(3, 4, { rng: new Random(5) });
    const x = randn([2, 3], { rng: new Random(6) });
    expect(Array.from(new nn.Sequential(l0, new Doubled()).call(x).data)).toEqual(Array.from(relu(l0.call(x)).mul(2).data));
    const noBias = new nn.Linear(3, 4, { rng: new Random(7), bias: false });
    const y = new nn.Sequential(noBias, new nn.ReLU()).call(x);
    expect(Array.from(y.data)).toEqual(Array.from(relu(matmul(x, noBias.W)).data));
    expect(nodeOf(y)!.op).toBe('relu');
    // one row in, one row out, through the fused op too
    expect(new nn.Sequential(l0, new nn.Tanh()).call(tensor([1, 2, 3])).shape).toEqual([4]);
  });

  it('MLP([2, 64, 64, 3], act) is Linear/act pairs ending in logits, initialised for the activation', () => {
    const model = nn.MLP([2, 64, 64, 3], 'relu', { rng: new Random(4) });
    expect(model.layers.map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']);
    expect(model.namedParameters().map(([n, p]) => `${n} ${p.shape.join('×')}`)).toEqual([
      'layers.0.W 2×64',
      'layers.0.b 64',
      'layers.2.W 64×64',
      'layers.2.b 64',
      'layers.4.W 64×3',
      'layers.4.b 3',
    ]);
    // He normal: std √(2/64) for the 64×64 layer
    const w = Array.from((model.layers[2] as nn.Linear).W.data);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.9 * Math.sqrt(2 / 64));
    expect(std).toBeLessThan(1.1 * Math.sqrt(2 / 64));
    expect(model.call(randn([7, 2])).shape).toEqual([7, 3]);
    expect(nn.MLP([3, 5], 'tanh', { dtype: 'float64' }).layers).toHaveLength(1);
    expect(() => nn.MLP([3], 'relu')).toThrow(/at least the input and output widths/);
    expect(() => nn.MLP([3, 4, 2], 'gelu' as never)).toThrow(/unknown name "gelu"/);
    expect(() => nn.MLP([3, '4', 2] as never)).toThrow('MLP: sizes[1] is "4"; expected a positive integer width');
    expect(() => nn.MLP([3, 0])).toThrow('MLP: sizes[1] is 0; expected a positive integer width');
  });

  it('refuse sizes no typed array or machine can hold at once, naming the layer, its shape and bytes', () => {
    expect(() => nn.MLP([1e10, 2])).toThrow(
      /^MLP\(\[10000000000, 2\]\): layers\.0\.W of shape \[10000000000, 2\] in float32 \(20000000000 elements, 80\.0 GB \(80000000000 bytes\)\) (is larger than a typed array can be|and 1 more .* needs more memory)/,
    );
    expect(() => new nn.Linear(1e10, 2)).toThrow(/^Linear\(10000000000 → 2\): W of shape \[10000000000, 2\] in float32 \(20000000000 elements/);
    // every layer is counted before the first is made: 2 × 1.2 TB of float64 weights
    expect(() => nn.MLP([2, 400000, 400000, 400000], 'relu', { dtype: 'float64' })).toThrow(
      /^MLP\(\[2, 400000, 400000, 400000\]\): layers\.(2|4)\.W of shape \[400000, 400000\] in float64 \(160000000000 elements, 1\.3 TB/,
    );
  });
});

describe('init', () => {
  const big = () => tensor(new Float64Array(200 * 300), { shape: [200, 300], dtype: 'float64' });
  const stats = (t: Tensor) => {
    const d = Array.from(t.data);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    return { mean, std: Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length), max: Math.max(...d.map(Math.abs)) };
  };

  it('xavier and kaiming have the documented spreads (fanIn = rows, fanOut = cols)', () => {
    const rng = new Random(9);
    const xu = stats(nn.init.xavierUniform(big(), { rng }));
    expect(xu.max).toBeLessThanOrEqual(Math.sqrt(6 / 500));
    // 60 000 draws: the sample std is within 2% of σ with overwhelming probability
    const near = (std: number, sigma: number) => expect(Math.abs(std / sigma - 1)).toBeLessThan(0.02);
    near(xu.std, Math.sqrt(6 / 500) / Math.sqrt(3));
    near(stats(nn.init.xavierNormal(big(), { rng, gain: 2 })).std, 2 * Math.sqrt(2 / 500));
    near(stats(nn.init.kaimingNormal(big(), { rng })).std, Math.sqrt(2 / 200));
    near(stats(nn.init.kaimingNormal(big(), { rng, mode: 'fanOut' })).std, Math.sqrt(2 / 300));
    expect(Math.abs(xu.mean)).toBeLessThan(0.002);
    const ku = stats(nn.init.kaimingUniform(big(), { rng, nonlinearity: 'tanh' }));
    expect(ku.max).toBeLessThanOrEqual((5 / 3) * Math.sqrt(3 / 200));
    expect(nn.init.calculateGain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 14);
  });

  it('draws from the default generator that manualSeed() reseeds', () => {
    manualSeed(11);
    const a = Array.from(nn.init.uniform(big(), -1, 1).data);
    manualSeed(11);
    expect(Array.from(nn.init.uniform(big(), -1, 1).data)).toEqual(a);
  });

  it('refuses fans of a non-matrix', () => {
    expect(() => nn.init.xavierUniform(tensor([1, 2, 3]))).toThrow('init.xavierUniform: fans are defined for a 2-D weight W: in × out, got a tensor of shape [3]');
  });
});
