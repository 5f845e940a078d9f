import type { CheckOptions } from './check-gradients.ts';
import { checkGradients } from './check-gradients.ts';
import type { GradientProblem } from './problem.ts';
import { divergenceLines, fdLine, networkText } from './report-text.ts';
import type { UserGradients } from './user-gradients.ts';

// `expect(gradients).toMatchGradients(problem, options)`: the gradient check as a test matcher. It follows the
// matcher protocol that vitest's and Jest's expect.extend share (a function of the received value returning
// { pass, message }), so the same object registers in either; see ../vitest.ts for vitest's setup file.

export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

export const gradientMatchers = {
  /**
   * Passes when `received` (your { dW, db, delta?, loss? } computed on `problem`) matches the reference engine's
   * gradients on the same problem within the dtype's tolerance, and the finite differences agree. The failure
   * message names the layer, the symbol, the first element over tolerance, both values and the tolerance broken.
   */
  toMatchGradients(this: { readonly isNot?: boolean } | undefined, received: unknown, problem: GradientProblem, options?: CheckOptions): MatcherResult {
    const r = checkGradients(received as UserGradients, problem, options);
    return {
      pass: r.pass,
      message: () =>
        r.pass
          ? `expected gradients not to match ${r.reference}'s, but they do (${networkText(r)})${r.exact ? ', bit for bit' : ''}`
          : [`expected gradients to match ${r.reference}'s (${networkText(r)})`, ...divergenceLines(r), fdLine(r)].join('\n'),
    };
  },
};
