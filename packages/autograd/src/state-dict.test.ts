import { describe, expect, it } from 'vitest';
import { loadStateDict, nn, optim, parseStateDict, Random, randn, stateDict, tensor } from './index.ts';
import type { DType } from './index.ts';

const bits = (d: ArrayLike<number>) => Array.from(d, (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('state dict', () => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    it(`round-trips ${dtype} parameters exactly through JSON text, including −0, NaN and ±Infinity`, () => {
      const a = nn.MLP([3, 5, 2], 'tanh', { dtype, rng: new Random(1) });
      const W = (a.layers[0] as nn.Linear).W;
      W.data.set([-0, NaN, Infinity, -Infinity, 1e-300, 5e-324], 0);
      const json = JSON.stringify(a.stateDict());
      const b = nn.MLP([3, 5, 2], 'tanh', { dtype, rng: new Random(2) });
      b.loadStateDict(json);
      const pa = a.namedParameters();
      const pb = b.namedParameters();
      expect(pb.map(([n]) => n)).toEqual(pa.map(([n]) => n));
      pa.forEach(([, p], i) => expect(bits(pb[i][1].data)).toEqual(bits(p.data)));
      expect(parseStateDict(json).tensors['layers.0.W'].dtype).toBe(dtype);
    });
  }

  it('loads in place, so an optimizer built before the load keeps training the loaded tensors', () => {
    const model = new nn.Linear(2, 2, { rng: new Random(1) });
    const W = model.W;
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    loadStateDict(model, stateDict(new nn.Linear(2, 2, { rng: new Random(9) })));
    expect(model.W).toBe(W);
    model.call(randn([3, 2])).sum().backward();
    const before = Array.from(W.data);
    opt.step();
    expect(Array.from(W.data)).not.toEqual(before);
  });

  it('converts a saved dtype to the model dtype', () => {
    const sd = stateDict(new nn.Linear(2, 3, { dtype: 'float64', rng: new Random(1) }));
    const m = new nn.Linear(2, 3, { dtype: 'float32' });
    m.loadStateDict(sd);
    expect(Array.from(m.W.data)).toEqual(Array.from(Float32Array.from(sd.tensors.W.data as number[])));
  });

  it('names the tensor and both shapes on a shape mismatch, and writes nothing', () => {
    const m = nn.MLP([3, 4, 2], 'relu', { rng: new Random(1) });
    const before = bits((m.layers[0] as nn.Linear).W.data);
    const sd = nn.MLP([3, 5, 2], 'relu').stateDict();
    expect(() => m.loadStateDict(sd)).toThrow(
      'loadStateDict: "layers.0.W" has shape [3, 4] in the model but [3, 5] in the state dict; expected the same shape',
    );
    expect(bits((m.layers[0] as nn.Linear).W.data)).toEqual(before);
  });

  it('names missing and unexpected entries; strict: false loads the rest and reports them', () => {
    const m = nn.MLP([3, 4, 2], 'relu');
    const sd = m.stateDict();
    sd.tensors['layers.9.W'] = sd.tensors['layers.0.W'];
    delete sd.tensors['layers.2.b'];
    expect(() => m.loadStateDict(sd)).toThrow(/missing "layers.2.b" \(the model's is float32 \[2\]\); unexpected "layers.9.W" \(float32 \[3, 4\]\)/);
    expect(m.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['layers.2.b'], unexpectedKeys: ['layers.9.W'] });
  });

  it('rejects malformed input with a clear message', () => {
    const m = new nn.Linear(1, 1);
    expect(() => m.loadStateDict('{')).toThrow(/not valid JSON/);
    expect(() => m.loadStateDict({ tensors: {} } as never)).toThrow(/expected an object \{ format: 'tapegrad.stateDict'/);
    const sd = m.stateDict();
    sd.tensors.W.data = [1, 2];
    expect(() => m.loadStateDict(sd)).toThrow('loadStateDict: entry "W" has shape [1, 1] but 2 values');
    sd.tensors.W.data = ['x'];
    expect(() => m.loadStateDict(sd)).toThrow('loadStateDict: "W" has "x" at flat index 0; expected a number');
  });

  it('refuses values the dtype cannot hold and numbers JSON read as Infinity, naming the key, leaving the model as it was', () => {
    const m = nn.MLP([2, 2], 'relu', { dtype: 'float32', rng: new Random(1) });
    const W = Array.from((m.layers[0] as nn.Linear).W.data);
    const sd = m.stateDict();
    sd.tensors['layers.0.W'].data[1] = 1e300; // a float64 value: fine for a float64 model, Infinity in float32
    expect(() => m.loadStateDict(sd)).toThrow(
      'loadStateDict: "layers.0.W" has 1e+300 at flat index 1, which overflows float32 (largest 3.4028234663852886e+38); ' +
        "expected a value the tensor's dtype can hold",
    );
    const m64 = nn.MLP([2, 2], 'relu', { dtype: 'float64' });
    m64.loadStateDict(sd);
    expect(m64.namedParameters()[0][1].data[1]).toBe(1e300);
    const json = JSON.stringify(m.stateDict()).replace(/"data":\[[^,\]]+/, '"data":[1e400');
    expect(() => m.loadStateDict(json)).toThrow(
      'loadStateDict: "layers.0.W" has Infinity at flat index 0; expected a finite number, or the string "Infinity" for a ' +
        "non-finite value (a number beyond float64's range in JSON text reads as ±Infinity)",
    );
    expect(Array.from((m.layers[0] as nn.Linear).W.data)).toEqual(W);
  });

  it('saves buffers and frozen parameters too', () => {
    class Scaled extends nn.Module {
      lin = new nn.Linear(2, 2);
      scale = tensor([3]);
      forward(x: ReturnType<typeof tensor>) {
        return this.lin.call(x).mul(this.scale);
      }
    }
    const s = new Scaled();
    s.lin.b!.requiresGrad = false;
    // a module's own tensors come before its submodules', as in PyTorch's named_parameters()
    expect(Object.keys(s.stateDict().tensors)).toEqual(['scale', 'lin.W', 'lin.b']);
    expect(s.namedParameters().map(([n]) => n)).toEqual(['lin.W']);
  });
});
