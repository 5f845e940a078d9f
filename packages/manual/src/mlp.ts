import type { ActivationName, DType, FloatArray } from '@tapegrad/autograd/kernels';
import { checkAllocation, checkSeed, formatValue } from '@tapegrad/autograd/kernels';
import type { ManualAdam } from './adam.ts';
import { backward } from './backward.ts';
import { forward } from './forward.ts';
import { copyX, measureX, readY } from './inputs.ts';
import { checkBackward, checkForward, checkLoss } from './anomaly.ts';
import { crossEntropy } from './loss.ts';
import type { Network } from './network.ts';
import { activationNames, checkSizes, paramBuffers, resolveActivations, resolveDType } from './network.ts';
import { allocateParams, checkParams, initParams, readParams, writeParams } from './params.ts';
import type { Spare } from './sgd.ts';
import { checkLearningRate, sgdUpdate } from './sgd.ts';
import { traceOf } from './trace.ts';
import type { Gradients, LossAndGradients, ManualMLPOptions, Matrix, MLPParams, MLPParamsCopy, Trace, XInput, YInput } from './types.ts';
import type { Workspace } from './workspace.ts';
import { workspaceBuffers, Workspaces } from './workspace.ts';

/**
 * A multi-class MLP trained with the chapter's hand-derived gradients (docs/backprop-chapter.md): hidden layers
 * a^l = act(z^l), a softmax output a^n and the mean cross-entropy loss, backpropagated with
 *   δ^n = (a^n − y)/N,  δ^l = δ^{l+1} (W^{l+1})ᵀ ⊙ act'(z^l),  ∂loss/∂W^l = (a^{l-1})ᵀ δ^l,  ∂loss/∂b^l = Σ_rows δ^l.
 *
 * Buffers: every per-layer buffer (z^l, a^l, δ^l, y, ∂loss/∂W^l, ∂loss/∂b^l) is allocated once per batch
 * size and reused, so a training step allocates no buffers. What `forward`, `backward`, `lossAndGrads` and `sgdStep` return (a^n, dW, db) are views of those internal
 * buffers: valid until the next call on this network; copy them (or use `trace`) to keep them.
 *
 * Initialisation without `params`: weights ~ N(0, 1) · sqrt(2/in) (He) for layers followed by relu or leakyRelu,
 * N(0, 1) · sqrt(1/in) (Xavier/LeCun) otherwise (the softmax output layer included), biases 0, drawn from the kernels'
 * `Random(seed)` layer by layer, row-major; seed 0 when none is given. The default dtype is float32, as in autograd.
 *
 * Non-finite values: x and the parameters are always finite (checked on the way in), and `sgdStep` never writes a
 * NaN or ±Infinity into them: an update that is not finite throws and leaves the parameters as they were. With
 * `detectAnomaly` on, every pass scans its symbols in the chapter's order and throws at the first NaN or ±Infinity,
 * naming the layer and the equation (z^l, a^l, the loss, δ^l, ∂loss/∂W^l, ∂loss/∂b^l) where it appeared.
 */
export class ManualMLP {
  /** Layer widths [d, h_1, …, k]. */
  readonly sizes: readonly number[];
  readonly dtype: DType;
  /** The activation of each hidden layer (hidden layer 1 at index 0); the output layer is softmax. */
  readonly activations: readonly ActivationName[];
  /**
   * Anomaly mode: when true, each forward and backward pass checks every z^l, a^l, the loss, δ^l, ∂loss/∂W^l and
   * ∂loss/∂b^l in the order computed, and throws at the first NaN or ±Infinity, naming its layer and equation.
   * Costs one scan per buffer; off by default (the `detectAnomaly` option sets it).
   */
  detectAnomaly: boolean;

  private readonly net: Network;
  private readonly dW: FloatArray[];
  private readonly db: FloatArray[];
  private readonly grads: Gradients;
  private readonly workspaces: Workspaces;
  /** The workspace of the last forward pass while it still matches the parameters, else null. */
  private cached: Workspace | null = null;
  /** Where sgdStep computes the next parameters before they replace the current ones (allocated by the first step). */
  private spare: Spare | null = null;

  constructor(options: ManualMLPOptions) {
    const where = 'ManualMLP';
    if (typeof options !== 'object' || options === null) throw new Error(`${where}: expected options { sizes, activation, dtype?, seed?, params?, detectAnomaly? }`);
    const sizes = checkSizes(where, options.sizes);
    const n = sizes.length - 1;
    const dtype = resolveDType(where, options.dtype);
    const act = resolveActivations(where, options.activation, n);
    const { detectAnomaly = false } = options;
    if (typeof detectAnomaly !== 'boolean') throw new Error(`${where}: detectAnomaly is ${formatValue(detectAnomaly)}; expected true or false`);
    // what training on a single sample needs, refused at once if it cannot be made (before minutes of allocating and
    // filling): the parameters, their gradients, sgdStep's next parameters and the buffers of a batch of 1
    checkAllocation(where, dtype, { ...paramBuffers(sizes), ...paramBuffers(sizes, '∂loss/∂'), ...paramBuffers(sizes, 'next '), ...workspaceBuffers(sizes, 1) });
    const seed = options.params === undefined ? checkSeed(where, options.seed ?? 0) : 0;
    const { W, b } = allocateParams(sizes, dtype);
    if (options.params !== undefined) {
      checkParams(`${where}: params`, sizes, dtype, options.params);
      writeParams(options.params, W, b);
    } else {
      initParams(sizes, act, seed, W, b);
    }
    this.sizes = sizes;
    this.dtype = dtype;
    this.net = { n, sizes, dtype, W, b, act };
    this.activations = Object.freeze(activationNames(this.net));
    const grads = allocateParams(sizes, dtype);
    this.dW = grads.W;
    this.db = grads.b;
    this.grads = Object.freeze({
      dW: Object.freeze(this.dW.slice(1).map((data, i): Matrix => ({ data, shape: Object.freeze([sizes[i], sizes[i + 1]]) }))),
      db: Object.freeze(this.db.slice(1).map((data, i): Matrix => ({ data, shape: Object.freeze([sizes[i + 1]]) }))),
    });
    this.workspaces = new Workspaces(sizes, dtype);
    this.detectAnomaly = detectAnomaly;
  }

  /**
   * The forward pass: caches z^l and a^l for `backward` and returns the softmax output a^n (N × k).
   * The returned buffer is the engine's own: valid until the next call.
   */
  forward(x: XInput): Matrix {
    const where = 'ManualMLP.forward';
    const ws = this.load(where, x);
    forward(this.net, ws);
    if (this.detectAnomaly) checkForward(where, this.net, ws);
    this.cached = ws;
    return ws.output;
  }

  /**
   * The chapter's backward pass for the batch of the last `forward(x)`, against targets y (class indices, one-hot
   * rows, or `{ probabilities }`). Returns ∂loss/∂W^l and ∂loss/∂b^l for every layer (layer 1 at index 0), in the
   * engine's own buffers: valid until the next call.
   */
  backward(y: YInput): Gradients {
    const where = 'ManualMLP.backward';
    const ws = this.cached;
    if (ws === null) throw new Error(`${where}: no forward pass to differentiate; call forward(x) first (parameter updates discard it)`);
    ws.kind = readY(where, y, ws.N, this.sizes[this.net.n], ws.labels, ws.Y);
    backward(this.net, ws, this.dW, this.db);
    if (this.detectAnomaly) checkBackward(where, this.net, ws, this.dW, this.db);
    return this.grads;
  }

  /**
   * Forward, mean cross-entropy loss and backward for one batch. dW and db are the engine's own buffers:
   * valid until the next call.
   */
  lossAndGrads(x: XInput, y: YInput): LossAndGradients {
    const loss = this.run('ManualMLP.lossAndGrads', x, y);
    return { loss, dW: this.grads.dW, db: this.grads.db };
  }

  /**
   * One step of gradient descent, W^l ← W^l − lr ∂loss/∂W^l, b^l ← b^l − lr ∂loss/∂b^l; returns the loss before it.
   * Throws, leaving the parameters as they were, when the step would write a NaN or ±Infinity into them (a gradient
   * that is not finite, or an update that overflows the dtype).
   */
  sgdStep(x: XInput, y: YInput, lr: number): number {
    const where = 'ManualMLP.sgdStep';
    checkLearningRate(where, lr);
    const loss = this.run(where, x, y);
    this.cached = null;
    this.spare ??= allocateParams(this.sizes, this.dtype);
    sgdUpdate(where, this.net, this.spare, this.dW, this.db, lr, loss);
    return loss;
  }

  /** One Adam step (see adam.ts) on the batch with the optimizer's state `opt`; returns the loss before it. */
  adamStep(x: XInput, y: YInput, opt: ManualAdam): number {
    const loss = this.run('ManualMLP.adamStep', x, y);
    opt.update(this.net, this.dW, this.db);
    this.cached = null;
    return loss;
  }

  /** Every symbol of the chapter for this batch, layer by layer: z^l, a^l, δ^l, ∂loss/∂W^l, ∂loss/∂b^l (copies). */
  trace(x: XInput, y: YInput): Trace {
    const loss = this.run('ManualMLP.trace', x, y);
    return traceOf(this.net, this.cached as Workspace, this.dW, this.db, loss);
  }

  /** The parameters as fresh nested arrays, 0-based (layer 1 at index 0), W as (in × out) rows. */
  getParams(): MLPParamsCopy {
    return readParams(this.sizes, this.net.W, this.net.b);
  }

  /** Replaces every parameter, after checking each layer's shapes and values (nothing changes if a check fails). */
  setParams(params: MLPParams): void {
    checkParams('ManualMLP.setParams', this.sizes, this.dtype, params);
    writeParams(params, this.net.W, this.net.b);
    this.cached = null;
  }

  /** Reads x into the workspace for its batch size. */
  private load(where: string, x: XInput): Workspace {
    this.cached = null;
    const N = measureX(where, x, this.sizes[0]);
    const ws = this.workspaces.get(where, N);
    copyX(where, x, N, this.sizes[0], ws.a[0]);
    return ws;
  }

  /** Checks x and y, then forward, loss and backward; returns the loss. */
  private run(where: string, x: XInput, y: YInput): number {
    const ws = this.load(where, x);
    ws.kind = readY(where, y, ws.N, this.sizes[this.net.n], ws.labels, ws.Y);
    forward(this.net, ws);
    if (this.detectAnomaly) checkForward(where, this.net, ws);
    this.cached = ws;
    const loss = crossEntropy(this.net, ws);
    if (this.detectAnomaly) checkLoss(where, this.net, loss);
    backward(this.net, ws, this.dW, this.db);
    if (this.detectAnomaly) checkBackward(where, this.net, ws, this.dW, this.db);
    return loss;
  }
}
