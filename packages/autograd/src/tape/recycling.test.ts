import { describe, expect, it } from 'vitest';
import { crossEntropy, customOp, emptyCache, gradients, linear, manualSeed, mul, nn, optim, randn, recyclerStats, relu, Tensor, tensor } from '../index.ts';
import { rawGrad } from './grad-field.ts';
import { RECYCLE_MIN_BYTES } from '../internal.ts';

// backward() runs its rules with the tape's buffer recycler (tape/recycler.ts): what they allocate is reused by the next
// backward(). These tests hold it to its promise: nothing a user can see ever shares a recycled buffer.

/** A 2-layer relu network whose backward buffers are pooled (all but b2's gradient, 5 elements, are over 64 bytes). */
function net(dtype: 'float32' | 'float64') {
  manualSeed(7);
  const W1 = randn([40, 64], { dtype, requiresGrad: true });
  const b1 = randn([64], { dtype, requiresGrad: true });
  const W2 = randn([64, 5], { dtype, requiresGrad: true });
  const b2 = randn([5], { dtype, requiresGrad: true });
  const x = randn([32, 40], { dtype });
  const labels = Int32Array.from({ length: 32 }, (_, i) => i % 5);
  const loss = () => crossEntropy(linear(relu(linear(x, W1, b1)), W2, b2), labels);
  return { params: [W1, b1, W2, b2], loss };
}

const copies = (ts: readonly Tensor[]) => ts.map((t) => Float64Array.from(t.grad!.data));

describe('backward() recycles its own buffers', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: the second pass reuses what the first made, and the gradients are those of gradients(), which does not recycle`, () => {
      const { params, loss } = net(dtype);
      loss().backward();
      const before = recyclerStats();
      for (const p of params) p.grad = null;
      const l = loss();
      const expected = gradients(l, params, { retainGraph: true }).map((g) => Float64Array.from(g!.data));
      l.backward();
      const after = recyclerStats();
      expect(after.reused).toBeGreaterThan(before.reused);
      // the buffers it makes again: the gradients the first pass handed to .grad instead of copying them, all but
      // b2's (below RECYCLE_MIN_BYTES, copied)
      const handedOver = params.filter((p) => p.grad!.data.byteLength >= RECYCLE_MIN_BYTES);
      expect(handedOver.length).toBe(3);
      expect(after.made).toBe(before.made + handedOver.length);
      expect(copies(params)).toEqual(expected);
    });

    it(`${dtype}: a .grad kept from one step is untouched by the next steps`, () => {
      const { params, loss } = net(dtype);
      loss().backward();
      const kept = params.map((p) => p.grad!);
      const keptValues = copies(params);
      for (let step = 0; step < 3; step++) {
        for (const p of params) {
          p.grad = null;
          p.data[0] += 0.25; // different gradients each step
        }
        loss().backward();
      }
      expect(kept.map((g) => Float64Array.from(g.data))).toEqual(keptValues);
      for (const [i, p] of params.entries()) expect(p.grad!.data.buffer).not.toBe(kept[i].data.buffer);
    });
  }

  it('hands a recycled buffer to one .grad only: a second tensor given the same gradient gets a copy', () => {
    // add's rule passes its gradient, a buffer the recycler lent to mul's rule, to both of its inputs
    const n = 2048;
    const a = tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i)), { requiresGrad: true });
    const b = tensor(Float32Array.from({ length: n }, (_, i) => Math.cos(i)), { requiresGrad: true });
    const c = tensor(Float32Array.from({ length: n }, (_, i) => 1 + (i % 7)));
    const loss = () => mul(a.add(b), c).sum();
    loss().backward();
    expect(a.grad!.data.buffer).not.toBe(b.grad!.data.buffer);
    loss().backward(); // accumulates in place into each .grad
    const twice = Array.from(c.data, (v) => 2 * v);
    expect(Array.from(a.grad!.data)).toEqual(twice);
    expect(Array.from(b.grad!.data)).toEqual(twice);
    const handed = [a.grad!, b.grad!];
    for (let i = 0; i < 3; i++) {
      a.grad = null;
      b.grad = null;
      loss().backward();
    }
    // the later passes neither reused nor overwrote what the earlier ones handed over
    for (const g of handed) expect(Array.from(g.data)).toEqual(twice);
    expect(Array.from(a.grad!.data)).toEqual(Array.from(c.data));
    expect(Array.from(b.grad!.data)).toEqual(Array.from(c.data));
  });

  it('a retained intermediate gradient (retainGrad) is a copy the next pass leaves alone', () => {
    const { params, loss } = net('float32');
    const z = loss();
    z.retainGrad();
    const W1 = params[0];
    const h = linear(randn([32, 40]), W1, params[1]);
    h.retainGrad();
    h.sum().backward();
    const hGrad = Float64Array.from(h.grad!.data);
    for (let i = 0; i < 3; i++) {
      W1.grad = null;
      loss().backward();
    }
    expect(Float64Array.from(h.grad!.data)).toEqual(hGrad);
  });

  it('does not recycle through an op defined outside the library: its rule may keep what it is given', () => {
    const seen: Tensor[] = [];
    const scale = customOp('keepsItsGradient', {
      forward: (x) => mul(x, 2),
      backward: (g) => {
        seen.push(g); // a user's rule may hold on to its gradient, e.g. to log it
        return [mul(g, 2)];
      },
    });
    const { params, loss } = net('float32');
    const run = () => scale(loss()).backward();
    run();
    const first = Float64Array.from(seen[0].data);
    const before = recyclerStats();
    for (let i = 0; i < 3; i++) {
      for (const p of params) p.grad = null;
      run();
    }
    expect(recyclerStats().reused).toBe(before.reused);
    expect(Float64Array.from(seen[0].data)).toEqual(first);
  });

  it('does not recycle a pass that records itself (createGraph): its gradients are part of a graph', () => {
    const x = tensor(Float32Array.from({ length: 2048 }, (_, i) => Math.sin(i)), { requiresGrad: true });
    const before = recyclerStats();
    x.mul(x).sum().backward({ createGraph: true });
    expect(recyclerStats()).toEqual(before); // the recycler was not used at all
    const g = x.grad!;
    const values = Float64Array.from(g.data);
    for (let i = 0; i < 3; i++) {
      x.grad = null;
      x.mul(x).mul(3).sum().backward();
    }
    expect(recyclerStats().made).toBeGreaterThan(before.made); // those passes did recycle
    expect(Float64Array.from(g.data)).toEqual(values);
  });

  it('emptyCache() lets go of what it holds; the next pass makes its buffers again', () => {
    const { params, loss } = net('float64');
    loss().backward();
    expect(recyclerStats().heldBytes).toBeGreaterThan(0);
    emptyCache();
    expect(recyclerStats().heldBytes).toBe(0);
    const before = recyclerStats();
    for (const p of params) p.grad = null;
    loss().backward();
    const after = recyclerStats();
    expect(after.made).toBeGreaterThan(before.made);
    expect(after.reused).toBe(before.reused);
  });
});

// zeroGrad() hands a dropped gradient's buffer back to the recycler when the user never saw it (tape/grad-field.ts):
// the loop of an optimizer then makes no new gradient buffers, and anything the user did see keeps its values.
describe('zeroGrad() recycles the gradients it drops unseen', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: a training loop makes no new buffers after its first steps, with the gradients gradients() computes`, () => {
      const { params, loss } = net(dtype);
      const opt = new optim.SGD(params, { lr: 0.01 });
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        loss().backward();
        nn.utils.clipGradNorm(params, 1e6); // the library's own reads of .grad leave it unseen
        opt.step();
      }
      const before = recyclerStats();
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        const l = loss();
        const expected = gradients(l, params, { retainGraph: true }).map((g) => Float64Array.from(g!.data));
        l.backward();
        expect(params.map((p) => Float64Array.from(rawGrad(p)!.data))).toEqual(expected);
        nn.utils.clipGradNorm(params, 1e6);
        opt.step();
      }
      expect(recyclerStats().made).toBe(before.made); // every buffer reused, the gradients' included
    });
  }

  it('a gradient read through .grad (or set there) keeps its buffer and its values; nn.Module.zeroGrad likewise', () => {
    const { params, loss } = net('float32');
    const [W1, , W2] = params;
    const opt = new optim.SGD(params, { lr: 0.01 });
    loss().backward();
    const seen = W1.grad!; // read: seen
    const kept = Float64Array.from(seen.data);
    const mine = new Tensor(new Float32Array(W2.size).fill(3), W2.shape);
    W2.grad = mine; // set by the user: seen too
    opt.zeroGrad();
    for (let i = 0; i < 3; i++) {
      loss().backward();
      opt.step();
      opt.zeroGrad();
    }
    expect(Float64Array.from(seen.data)).toEqual(kept);
    expect([...mine.data].every((v) => v === 3)).toBe(true);
    const m = new nn.Linear(40, 64);
    crossEntropy(m.call(randn([8, 40])), Int32Array.from({ length: 8 }, (_, i) => i)).backward();
    const g = m.parameters()[0].grad!;
    const values = Float64Array.from(g.data);
    m.zeroGrad();
    crossEntropy(m.call(randn([8, 40]).mul(2)), Int32Array.from({ length: 8 }, (_, i) => i)).backward();
    expect(Float64Array.from(g.data)).toEqual(values);
  });

  it("createGraph's gradients are recorded tensors: never recycled", () => {
    const { params, loss } = net('float64');
    loss().backward({ createGraph: true });
    const g = rawGrad(params[0])!;
    const values = Float64Array.from(g.data);
    new optim.SGD(params, { lr: 0.01 }).zeroGrad();
    loss().backward();
    expect(Float64Array.from(g.data)).toEqual(values);
  });
});
