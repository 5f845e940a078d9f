// @tapegrad/autograd/internal: what this repository's tests and bench use beyond the public surface (./index.ts):
// the tape's records and marks, the library's own defineOp, the ops that only backward rules use, the recycler, and
// the gradient-checking helpers of the op tests. Not for users: any of it may change without notice.
export type { BackwardRule, Node, OpResult } from './tape.ts';
export { defineOp } from './tape.ts';
export type { TapeTensor } from './tape/marks.ts';
export { nodeOf } from './tape/marks.ts';
export type { WalkOptions } from './tape/walk.ts';
export { reverseWalk } from './tape/walk.ts';
export { BufferRecycler, RECYCLE_MIN_BYTES, RECYCLER_MAX_BYTES } from './tape/recycler.ts';
export { tensorOfOp } from './tensor.ts';
export { setGradEnabled } from './grad-mode.ts';
export { crossEntropyGrad, scatterAdd, sigmoidGrad, stepGrad, sumToShape, tanhGrad } from './ops/index.ts';
export type { CheckGradsOptions } from './testing/check-grads.ts';
export { checkGrads, randomInputs } from './testing/check-grads.ts';
