import { describe, expect, it } from 'vitest';
import { accuracy, argmax, eq, manualSeed, nn, noGrad, randn, tensor } from './index.ts';
import type { Tensor } from './index.ts';
import { nodeOf } from './internal.ts';

describe('accuracy', () => {
  it('is the share of rows whose argmax is the label, as argmax(1) == labels averaged', () => {
    const logits = randn([257, 10]);
    const labels = Int32Array.from({ length: 257 }, (_, i) => (i * 7) % 10);
    const viaOps = eq(argmax(logits, 1), tensor(Float32Array.from(labels))).mean().item();
    expect(accuracy(logits, labels) * 257).toBe(Math.round(viaOps * 257)); // viaOps: a float32 mean
    expect(accuracy(logits, argmax(logits, 1))).toBe(1);
  });

  it('takes the first maximum on a tie and counts a row with NaN as wrong', () => {
    const logits = tensor([
      [1, 3, 3],
      [5, 5, 0],
      [NaN, 2, 1],
      [0, NaN, 9],
    ]);
    expect(accuracy(logits, [1, 0, 1, 2])).toBe(0.5);
    expect(accuracy(logits, [2, 1, 0, 1])).toBe(0);
  });

  it('names what is wrong with its arguments', () => {
    const logits = randn([4, 3]);
    expect(() => accuracy(randn([4]), [0, 1, 2, 0])).toThrow('accuracy: logits must be a 2-D tensor [batch, classes], got a tensor of shape [4]');
    expect(() => accuracy(logits, [0, 1, 2])).toThrow('accuracy: logits [4, 3] has 4 rows but there are 3 labels; expected one label per row');
    expect(() => accuracy(logits, [0, 1, 3, 0])).toThrow('accuracy: label 3 at position 2 is not a class index; expected an integer in [0, 2]');
    expect(() => accuracy(logits, [0, 1, 0.5, 0])).toThrow('accuracy: label 0.5 at position 2');
  });
});

describe('evaluation under noGrad', () => {
  it('records nothing and keeps no graph: no output has a node, nothing requires grad, no gradient appears', () => {
    manualSeed(3);
    const model = nn.MLP([6, 16, 16, 4]);
    const x = randn([32, 6]);
    const seen: Tensor[] = [];
    const logits = noGrad(() => {
      // every intermediate a forward pass makes, through the layers one by one
      let h = x;
      for (const layer of model.layers) {
        h = layer.call(h);
        seen.push(h);
      }
      return h;
    });
    expect(seen.length).toBeGreaterThan(2);
    for (const t of seen) {
      expect(nodeOf(t)).toBeNull();
      expect(t.requiresGrad).toBe(false);
    }
    expect(() => logits.sum().backward()).toThrow();
    for (const p of model.parameters()) expect(p.grad).toBeNull();
    // the same forward with recording on does build a graph back to every parameter
    const recorded = model.call(x);
    expect(nodeOf(recorded)).not.toBeNull();
    recorded.sum().backward();
    for (const p of model.parameters()) expect(p.grad).not.toBeNull();
    // and the unrecorded logits are the recorded ones
    expect(Array.from(logits.data)).toEqual(Array.from(recorded.data));
  });
});
