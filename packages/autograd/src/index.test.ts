import { describe, expect, it } from 'vitest';
import * as publicSurface from './index.ts';
import * as internal from './internal.ts';
import { mul, tensor } from './index.ts';

// What users may use is what index.ts names; the tape's machinery and the ops only backward rules use are at
// './internal' (the tests and the bench), and the tape's fields are on every tensor but not in its type.

describe('the public surface', () => {
  it('names no backward helpers, no tape internals, and one defineUserOp', () => {
    const names = Object.keys(publicSurface);
    for (const hidden of ['stepGrad', 'sigmoidGrad', 'tanhGrad', 'crossEntropyGrad', 'sumToShape', 'scatterAdd', 'tensorOfOp', 'reverseWalk', 'nodeOf', 'defineOp']) {
      expect(names).not.toContain(hidden);
      if (hidden !== 'defineOp') expect(Object.keys(internal)).toContain(hidden);
    }
    expect(names).toEqual(expect.arrayContaining(['Tensor', 'backward', 'defineUserOp', 'customOp', 'matmul', 'gradcheck', 'nn', 'optim']));
  });

  it("keeps the tape's records off the Tensor type: nodeOf (internal) reads them", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = mul(x, 3);
    // @ts-expect-error the node is the tape's, not part of Tensor's type
    void y.node;
    // @ts-expect-error so are the walk's marks
    void y.pendingGrad;
    expect(internal.nodeOf(y)?.op).toBe('mul');
    expect(internal.nodeOf(x)).toBeNull();
    expect(y.isLeaf).toBe(false);
  });
});
