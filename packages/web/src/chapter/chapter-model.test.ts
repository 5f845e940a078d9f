import { ulpDistance } from '@tapegrad/bench/core';
import { chapterExample as ex } from '@tapegrad/manual';
import { describe, expect, it } from 'vitest';
import type { ChapterInput } from './chapter-model.ts';
import { chapterRows } from './chapter-model.ts';

const input = (over: Partial<ChapterInput> = {}): ChapterInput => ({ sizes: ex.sizes, activation: ex.activation, x: ex.sample.x, label: 2, params: ex.params, dtype: 'float64', ...over });

describe('chapterRows', () => {
  it("lists the chapter's symbols in its order: forward from layer 1, the loss, backward from layer n", () => {
    expect(chapterRows(input()).map((r) => r.key)).toEqual(['z1', 'a1', 'z2', 'a2', 'z3', 'a3', 'loss', 'delta3', 'dW3', 'db3', 'delta2', 'dW2', 'db2', 'delta1', 'dW1', 'db1']);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`gives both engines' values in ${dtype}, within a few ulps, and the ulps between them entry by entry`, () => {
      for (const label of [0, 1, 2]) {
        for (const row of chapterRows(input({ dtype, label }))) {
          expect(row.autograd).toHaveLength(row.shape[0] * row.shape[1]);
          expect(row.ulps).toEqual(row.manual.map((v, i) => ulpDistance(v, row.autograd[i], dtype)));
          expect(Math.max(...row.ulps), `${row.key}, class ${label}`).toBeLessThanOrEqual(16);
          if (dtype === 'float32') for (const v of [...row.manual, ...row.autograd]) expect(Math.fround(v)).toBe(v);
        }
      }
    });
  }

  it("follows the class: δⁿ = aⁿ − y is negative at the sample's class only", () => {
    for (const label of [0, 1, 2]) {
      const delta = chapterRows(input({ label })).find((r) => r.key === 'delta3')!;
      expect(delta.manual.map((v) => v < 0)).toEqual([0, 1, 2].map((k) => k === label));
    }
  });

  it('says which parameter is wrong where the manual engine refuses it', () => {
    const W = ex.params.W.map((Wl, l) => Wl.map((row) => row.map((v) => (l === 0 ? NaN : v))));
    expect(() => chapterRows(input({ params: { W, b: ex.params.b } }))).toThrow(/W.*layer 1.*expected finite numbers/);
  });
});
