import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DType } from '@tapegrad/autograd/kernels';
import { afterAll, describe, expect, it } from 'vitest';
import '../vitest.ts'; // the documented setup file: registers toMatchGradients
import { PLAIN_MLP, writeMutantModules } from '../../test/user-engines/outside.test-helper.ts';
import { symbolText } from '../compare.ts';
import type { UserEngine, UserEngineFactory } from '../user-engine.ts';
import { gradientMatchers } from './matchers.ts';
import type { NetworkDescription } from './problem.ts';
import { gradientProblem } from './problem.ts';

// The matcher on engines that arrive from outside the repository's packages, as a user's test gets them: a module
// loaded by path. Every planted mistake of test/mutants/ must fail with a message that names its layer and
// symbol; the correct plain-JavaScript engine must pass.

async function engineAt(file: string, net: NetworkDescription): Promise<{ e: UserEngine; problem: ReturnType<typeof gradientProblem> }> {
  const mod = (await import(pathToFileURL(file).href)) as { engine: UserEngineFactory };
  const problem = gradientProblem(net);
  return { e: mod.engine({ sizes: problem.sizes, activations: problem.activations, dtype: problem.dtype }), problem };
}

const NETS: readonly (NetworkDescription & { square: boolean })[] = [
  { sizes: [4, 4, 4, 4], activation: 'sigmoid', batchSize: 6, seed: 11, square: true },
  { sizes: [5, 6, 4, 3], activation: 'tanh', batchSize: 8, seed: 12, square: false },
];

describe('toMatchGradients', () => {
  it('passes a correct engine loaded by path, in both dtypes, against both references', async () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const { e, problem } = await engineAt(PLAIN_MLP, { sizes: [3, 5, 4, 2], activation: 'relu', dtype, batchSize: 7, seed: 4 });
      const grads = e.gradients(problem.params, problem.batch);
      expect(grads).toMatchGradients(problem);
      expect(grads).toMatchGradients(problem, { reference: 'autograd' });
    }
  });

  describe('fails every planted mistake, loaded by path from outside the repository, at its layer and symbol', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-user-engines-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    for (const { mutant, file } of writeMutantModules(dir)) {
      for (const net of NETS.filter((x) => x.square || !mutant.squareOnly)) {
        for (const dtype of ['float32', 'float64'] as DType[]) {
          it(`${mutant.name}: ${net.sizes.join('-')} ${net.activation}, ${dtype}`, async () => {
            const { e, problem } = await engineAt(file, { ...net, dtype });
            const grads = e.gradients(problem.params, problem.batch);
            const { layer, symbol } = mutant.expect(net.sizes.length - 1);
            const where = `first divergence: layer ${layer}, ${symbolText(symbol, layer)}`;
            expect(() => expect(grads).toMatchGradients(problem)).toThrow(where);
            expect(grads).not.toMatchGradients(problem);
            const message = gradientMatchers.toMatchGradients.call(undefined, grads, problem).message();
            expect(message.split('\n')[0]).toBe(`expected gradients to match manual's (${net.sizes.join('-')} ${net.activation}, ${dtype}, batch ${net.batchSize})`);
            expect(message.split('\n')[1]).toMatch(new RegExp(`^${where.replace(/[\^/()]/g, '\\$&')} \\(your (delta|dW|db)\\[${layer - 1}\\]\\)$`));
            // the element, both values and the tolerance, or the two shapes
            expect(message).toMatch(/first element over tolerance: .+\[[\d, ]+\] = \S+ \(yours\) vs \S+ \(manual\)\n {2}tolerance broken: .+ > rtol 1e-(4|10) ×|shape: yours is \[\d+\], manual's is \[\d+\]/);
          });
        }
      }
    }
  });

  it('says so when gradients that were expected to differ match', async () => {
    const { e, problem } = await engineAt(PLAIN_MLP, { sizes: [2, 3, 2], activation: 'tanh' });
    const grads = e.gradients(problem.params, problem.batch);
    expect(() => expect(grads).not.toMatchGradients(problem)).toThrow(/expected gradients not to match manual's, but they do \(2-3-2 tanh, float64, batch 8\)/);
  });
});
