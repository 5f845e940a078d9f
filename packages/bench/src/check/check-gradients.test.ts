import { describe, expect, it } from 'vitest';
import { engine as plainMlp } from '../../test/user-engines/plain-mlp.js';
import { checkGradients } from './check-gradients.ts';
import type { GradientProblem, NetworkDescription } from './problem.ts';
import { gradientProblem } from './problem.ts';
import { divergenceLines, formatGradientReport } from './report-text.ts';
import type { UserGradients } from './user-gradients.ts';

// The public gradient check on gradients computed outside tapegrad: a correct plain-JavaScript MLP
// (test/user-engines/plain-mlp.js) must pass in both dtypes against both references; a changed element, a
// transposed gradient and a wrong-axis bias gradient must fail at the right place; malformed input is an error.

function solve(net: NetworkDescription): { problem: GradientProblem; grads: UserGradients } {
  const problem = gradientProblem(net);
  const e = plainMlp({ sizes: problem.sizes, activations: problem.activations, dtype: problem.dtype });
  return { problem, grads: e.gradients(problem.params, problem.batch) };
}

type Nested = number[][];

describe('checkGradients on correct gradients', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const reference of ['manual', 'autograd'] as const) {
      it(`a plain-array MLP matches ${reference} in ${dtype}`, () => {
        const { problem, grads } = solve({ sizes: [5, 6, 4, 3], activation: 'tanh', dtype, batchSize: 8, seed: 3 });
        const r = checkGradients(grads, problem, { reference });
        expect(r.pass).toBe(true);
        expect(r.compared).toEqual(['dW', 'db', 'delta', 'loss']);
        expect(r.equality.entries.map((e) => `${e.symbol}${e.layer}`)).toEqual(['loss3', 'delta3', 'dW3', 'db3', 'delta2', 'dW2', 'db2', 'delta1', 'dW1', 'db1']);
        expect(r.maxRel).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-5);
        expect(r.finiteDifferences!.checked).toBe(24);
        expect(r.fdFailed).toBe(0);
        expect(formatGradientReport(r)).toMatch(/^yours: gradients match/);
      });
    }
  }

  it('hands out parameters and inputs already rounded to float32 for a float32 problem', () => {
    const { params, batch } = gradientProblem({ sizes: [3, 4, 2], activation: 'sigmoid', dtype: 'float32' });
    for (const v of [...params.W.flat(2), ...params.b.flat(), ...batch.x.flat()]) expect(Math.fround(v)).toBe(v);
  });

  it('takes nested rows, flat arrays and typed arrays alike, and compares only what it is given', () => {
    const { problem, grads } = solve({ sizes: [4, 5, 3], activation: 'relu', seed: 1 });
    const dW = grads.dW as Nested[];
    const db = grads.db as number[][];
    const flat = checkGradients({ dW: dW.map((w) => w.flat()), db }, problem);
    const typed = checkGradients({ dW: dW.map((w) => Float64Array.from(w.flat())), db: db.map((b) => Float64Array.from(b)) }, problem);
    const nested = checkGradients({ dW, db }, problem);
    const keptDims = checkGradients({ dW, db: db.map((b) => [b]) }, problem); // ∂loss/∂b as a 1 × out row
    for (const r of [flat, typed, nested, keptDims]) {
      expect(r.pass).toBe(true);
      expect(r.compared).toEqual(['dW', 'db']);
      expect(r.equality.entries.map((e) => e.symbol)).toEqual(['dW', 'db', 'dW', 'db']);
      expect(r.maxRel).toBe(nested.maxRel);
    }
  });
});

describe('checkGradients on wrong gradients', () => {
  it('names the layer, the symbol, the first element over tolerance, both values and the tolerance', () => {
    const { problem, grads } = solve({ sizes: [2, 3, 2], activation: 'tanh', seed: 2 });
    const dW = (grads.dW as Nested[]).map((w) => w.map((row) => [...row]));
    const right = dW[0][1][2];
    dW[0][1][2] += 1e-3;
    const r = checkGradients({ ...grads, dW }, problem);
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ layer: 1, symbol: 'dW', at: [1, 2] });
    const text = divergenceLines(r).join('\n');
    expect(text).toContain('first divergence: layer 1, ∂loss/∂W^1 (your dW[0])');
    expect(text).toContain(`∂loss/∂W^1[1, 2] = ${right + 1e-3} (yours) vs `);
    expect(text).toMatch(/tolerance broken: \|yours − manual\| = 1\.00e-3 > rtol 1e-10 × max\(/);
    expect(text).toContain('1 of 6 elements over tolerance');
    expect(text).toContain('agrees before it in the backward walk: loss, δ^2, ∂loss/∂W^2, ∂loss/∂b^2, δ^1');
    // 2-3-2 has 17 parameters: the finite differences check them all, and side with manual on W^1[1, 2]
    const s = r.finiteDifferences!.samples.find((x) => x.layer === 1 && x.param === 'W' && x.at.join() === '1,2')!;
    expect(s.engines.map((g) => g.status)).toEqual(['fail', 'pass']);
    expect(r.fdFailed).toBe(1);
  });

  it('reports a transposed ∂loss/∂W and a bias gradient summed over the wrong axis as shape differences', () => {
    const { problem, grads } = solve({ sizes: [4, 5, 3], activation: 'sigmoid' });
    const dW = grads.dW as Nested[];
    const transposed = checkGradients({ dW: [dW[0][0].map((_, j) => dW[0].map((row) => row[j])), dW[1]], db: grads.db }, problem);
    expect(transposed.firstDivergence).toMatchObject({ layer: 1, symbol: 'dW' });
    expect(divergenceLines(transposed)).toContain("  shape: yours is [5, 4], manual's is [4, 5]");
    expect(transposed.finiteDifferences!.samples[0].engines).toHaveLength(1); // only the reference's can be sampled
    const delta2 = (grads.delta as Nested[])[1];
    const wrongAxis = checkGradients({ ...grads, db: [grads.db[0], delta2.map((row) => row.reduce((s, v) => s + v, 0))] }, problem);
    expect(wrongAxis.firstDivergence).toMatchObject({ layer: 2, symbol: 'db' });
    expect(divergenceLines(wrongAxis)).toContain("  shape: yours is [8], manual's is [3]");
  });
});

describe('bad input is an error that says what was expected', () => {
  const { problem, grads } = solve({ sizes: [3, 4, 2], activation: 'tanh' });
  const dW = grads.dW as Nested[];

  it('gradients', () => {
    expect(() => checkGradients({ W: dW, b: grads.db } as unknown as UserGradients, problem)).toThrow(
      /gradients: expected \{ dW: \[\.\.\.\], db: \[\.\.\.\] \} \(one array per layer, layer 1 first\), got an object with keys W, b/,
    );
    expect(() => checkGradients(null as unknown as UserGradients, problem)).toThrow(/got null$/);
    expect(() => checkGradients({ dW: [dW[0]], db: grads.db }, problem)).toThrow(/gradients: 1 dW arrays for 2 layers \(sizes 3-4-2\)/);
    expect(() => checkGradients({ dW: [[[1, 2, 3, 4], [1, 2]], dW[1]], db: grads.db }, problem)).toThrow(/gradients: ∂loss\/∂W\^1: row 1 has 2 entries, row 0 has 4/);
    expect(() => checkGradients({ dW: [dW[0], dW[1]], db: [grads.db[0], ['0.1', 0.2]] as unknown as number[][] }, problem)).toThrow(
      /gradients: ∂loss\/∂b\^2: entry 0 is "0.1", not a number/,
    );
    expect(() => checkGradients(grads, problem, { reference: 'pytorch' as 'manual' })).toThrow(/unknown reference "pytorch"; expected autograd or manual/);
  });

  it('networks and batches', () => {
    expect(() => gradientProblem({ sizes: [3], activation: 'tanh' })).toThrow(/sizes \[3\]; expected at least two positive integer layer widths/);
    expect(() => gradientProblem({ sizes: [3, 4, 2], activation: 'swish' as 'tanh' })).toThrow(/unknown activation "swish"/);
    expect(() => gradientProblem({ sizes: [2, 2], activation: 'tanh', batch: { x: [[1, 2]], labels: [2] } })).toThrow(/label 2 of row 0 is not a class index in \[0, 1\]/);
    expect(() => gradientProblem({ sizes: [2, 2], activation: 'tanh', batch: { x: [[1, 2, 3]], labels: [0] } })).toThrow(/row 0 of x has 3 features; the network takes 2/);
    expect(() => gradientProblem({ sizes: [2, 3, 2], activation: 'tanh', params: { W: [[[1, 2, 3]]], b: [[0, 0, 0]] } })).toThrow(/params: 1 W and 1 b for 2 layers/);
  });
});
