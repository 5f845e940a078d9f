// @tapegrad/manual: the chapter's hand-derived backpropagation (docs/backprop-chapter.md) for a multi-class MLP
// with softmax and cross-entropy, computed with the same kernels as @tapegrad/autograd but without its tape.
export { ManualMLP } from './mlp.ts';
export { ManualAdam } from './adam.ts';
export { initialParams } from './params.ts';
export { formatTrace } from './format-trace.ts';
export type { FormatTraceOptions } from './format-trace.ts';
export { chapterExample } from './chapter-example.ts';
export type { ChapterExample } from './chapter-example.ts';
export type {
  FlatInput,
  Gradients,
  LossAndGradients,
  ManualMLPOptions,
  Matrix,
  MLPParams,
  MLPParamsCopy,
  ProbabilityTargets,
  Rows,
  Trace,
  TraceLayer,
  XInput,
  YInput,
} from './types.ts';
