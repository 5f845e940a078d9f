import type { Tensor as TensorType } from '@tapegrad/autograd';
import { crossEntropy, linear, nn, Tensor, tensor } from '@tapegrad/autograd';
import type { ActivationName, DType, FusedActivation } from '@tapegrad/autograd/kernels';
import { axpy, isFusedActivation, shapeStr } from '@tapegrad/autograd/kernels';
import type { Batch } from '../datasets/dataset.ts';
import type { Engine, FlatParams, LayerSymbols, NetworkSpec, Params, Symbols } from '../engine.ts';
import { batchX, hiddenActivations } from '../engine.ts';

// The autograd engine as a user would write the chapter's network with it: leaves W^l, b^l that require grad,
// z^l = a^{l−1} W^l + b^l recorded on the tape as one `linear` op (what nn.Linear records),
// loss = crossEntropy(z^n, labels), loss.backward().
// δ^l is read from z^l.grad (retainGrad); the SGD update works on .data with the same axpy kernel as the manual
// engine, so that any difference between the engines comes from their gradients.
// A training step, which needs no z^l, records a hidden layer's a^l = act(a^{l−1} W^l + b^l) as one `linear` op
// with its activation (relu, sigmoid, tanh), as a user after speed would; the same values and gradients, bit for
// bit (ops/linear.test.ts), and the lockstep check compares the parameters those steps produce.

export class AutogradEngine implements Engine {
  readonly name = 'autograd';
  readonly sizes: readonly number[];
  readonly dtype: DType;
  /** One activation module per hidden layer, from the library's own `nn.activation(name)`. */
  private readonly acts: nn.Module[];
  /** Each hidden layer's activation when linear() can apply it in the same op, else null. */
  private readonly fused: (FusedActivation | null)[];
  private W: TensorType[] = [];
  private b: TensorType[] = [];
  private lastLoss: TensorType | null = null;

  constructor(spec: NetworkSpec, dtype: DType) {
    this.sizes = spec.sizes;
    this.dtype = dtype;
    const names: ActivationName[] = hiddenActivations(spec);
    this.acts = names.map((name) => nn.activation(name));
    this.fused = names.map((name) => (isFusedActivation(name) ? name : null));
  }

  setParams(params: Params): void {
    const n = this.sizes.length - 1;
    if (params.W.length !== n || params.b.length !== n) {
      throw new Error(`autograd engine: ${params.W.length} W and ${params.b.length} b for ${n} layers`);
    }
    // the shared nested { W, b } straight into tensor(): the public way to make parameters from user data
    this.W = params.W.map((w) => tensor(w as number[][], { dtype: this.dtype, requiresGrad: true }));
    this.b = params.b.map((b) => tensor(b as number[], { dtype: this.dtype, requiresGrad: true }));
    this.W.forEach((w, i) => {
      if (w.shape[0] !== this.sizes[i] || w.shape[1] !== this.sizes[i + 1]) {
        throw new Error(`autograd engine: W^${i + 1} is ${shapeStr(w.shape)}; expected ${shapeStr([this.sizes[i], this.sizes[i + 1]])}`);
      }
    });
    this.lastLoss = null;
  }

  getParams(): FlatParams {
    return {
      W: this.W.map((w) => ({ data: w.data.slice(), shape: w.shape })),
      b: this.b.map((b) => ({ data: b.data.slice(), shape: b.shape })),
    };
  }

  /** The forward pass recorded on the tape: the loss, and every z^l (kept with retainGrad when asked). */
  private graph(batch: Batch, retain: boolean): { loss: TensorType; z: TensorType[]; inputs: TensorType[] } {
    this.checkLoaded();
    let a: TensorType = new Tensor(batchX(batch, this.dtype), [batch.N, batch.d]);
    const z: TensorType[] = [];
    const inputs: TensorType[] = [];
    const n = this.W.length;
    for (let l = 1; l <= n; l++) {
      inputs.push(a);
      const act = l < n && !retain ? this.fused[l - 1] : null;
      if (act !== null) {
        a = linear(a, this.W[l - 1], this.b[l - 1], act); //         a^l = act(a^{l−1} W^l + b^l), one op
        continue;
      }
      const zl = linear(a, this.W[l - 1], this.b[l - 1]); // z^l = a^{l−1} W^l + b^l, one op as in nn.Linear
      if (retain) zl.retainGrad();
      z.push(zl);
      if (l < n) a = this.acts[l - 1].call(zl); //                a^l = act(z^l)
    }
    return { loss: crossEntropy(z[z.length - 1], batch.labels), z, inputs }; // softmax and mean cross-entropy in one op
  }

  /** Clears the gradients to null, as optim's zeroGrad() does by default (PyTorch ≥ 2.0's set_to_none): backward
   * then stores each parameter's gradient instead of adding it into a zero-filled buffer. */
  private zeroGrads(): void {
    for (const p of this.W) p.grad = null;
    for (const p of this.b) p.grad = null;
  }

  symbols(batch: Batch): Symbols {
    this.zeroGrads();
    const { loss, z, inputs } = this.graph(batch, true);
    loss.backward();
    const layers: LayerSymbols[] = z.map((zl, i) => ({
      input: { data: inputs[i].data.slice(), shape: inputs[i].shape },
      delta: { data: zl.grad!.data.slice(), shape: zl.shape },
      dW: { data: this.W[i].grad!.data.slice(), shape: this.W[i].shape },
      db: { data: this.b[i].grad!.data.slice(), shape: this.b[i].shape },
    }));
    this.zeroGrads();
    return { loss: loss.item(), layers };
  }

  step(batch: Batch, lr: number): number {
    this.zeroGrads();
    const { loss } = this.graph(batch, false);
    loss.backward();
    for (const p of this.W) axpy(-lr, p.grad!.data, p.data); // θ ← θ − lr ∂loss/∂θ
    for (const p of this.b) axpy(-lr, p.grad!.data, p.data);
    return loss.item();
  }

  forward(batch: Batch): void {
    this.lastLoss = this.graph(batch, false).loss;
  }

  backward(): void {
    if (this.lastLoss === null) throw new Error('autograd engine: backward() before forward()');
    this.zeroGrads();
    this.lastLoss.backward({ retainGraph: true }); // kept, so that timing can repeat it
  }

  private checkLoaded(): void {
    if (this.W.length === 0) throw new Error('autograd engine: no parameters; call setParams first');
  }
}
