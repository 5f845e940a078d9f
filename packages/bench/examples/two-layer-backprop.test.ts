import { gradientProblem } from '@tapegrad/bench';
import { expect, it } from 'vitest';
import { backprop } from './two-layer-backprop.ts';

// Run with `pnpm vitest run --config packages/bench/examples/vitest.config.ts`: it fails, and says where.
it('the hand-written two-layer backprop matches the manual engine', () => {
  const problem = gradientProblem({ sizes: [4, 8, 3], activation: 'tanh', batchSize: 16 });
  const gradients = backprop(problem.params, problem.batch);
  expect(gradients).toMatchGradients(problem);
});
