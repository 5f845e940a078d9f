import { expect } from 'vitest';
import type { CheckOptions } from './check/check-gradients.ts';
import { gradientMatchers } from './check/matchers.ts';
import type { GradientProblem } from './check/problem.ts';

// vitest's setup file for `expect(gradients).toMatchGradients(problem, options)`: name it in vitest.config.ts,
// `test: { setupFiles: ['@tapegrad/bench/vitest'] }`. Registering the matcher is its only effect.

expect.extend(gradientMatchers);

declare module 'vitest' {
  interface Matchers<T = any> {
    /** Your gradients ({ dW, db, delta?, loss? } on `problem`) match the reference engine's: see gradientMatchers. */
    toMatchGradients(problem: GradientProblem, options?: CheckOptions): T;
  }
}
