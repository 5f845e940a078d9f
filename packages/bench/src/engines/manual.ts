import type { DType } from '@tapegrad/autograd/kernels';
import { ManualMLP } from '@tapegrad/manual';
import type { Batch } from '../datasets/dataset.ts';
import type { Engine, FlatParams, NetworkSpec, Params, Symbols } from '../engine.ts';
import { batchX, flattenParams, hiddenActivations } from '../engine.ts';

// The manual engine through its public API: ManualMLP with the shared { W, b }, trace() for the chapter's symbols,
// sgdStep() for a training step, forward()/backward() for timing the halves.

export class ManualEngine implements Engine {
  readonly name = 'manual';
  readonly sizes: readonly number[];
  readonly dtype: DType;
  private readonly net: ManualMLP;
  private lastLabels: Int32Array | null = null;

  constructor(spec: NetworkSpec, dtype: DType) {
    this.sizes = spec.sizes;
    this.dtype = dtype;
    this.net = new ManualMLP({ sizes: spec.sizes, activation: hiddenActivations(spec), dtype, seed: 0 });
  }

  setParams(params: Params): void {
    this.net.setParams(params);
    this.lastLabels = null;
  }

  getParams(): FlatParams {
    const flat = flattenParams(this.net.getParams(), this.sizes, 'manual engine');
    const cast = (a: Float64Array) => (this.dtype === 'float64' ? a : Float32Array.from(a));
    return {
      W: flat.W.map((w, i) => ({ data: cast(w), shape: [this.sizes[i], this.sizes[i + 1]] })),
      b: flat.b.map((b, i) => ({ data: cast(b), shape: [this.sizes[i + 1]] })),
    };
  }

  private x(batch: Batch) {
    return { data: batchX(batch, this.dtype), shape: [batch.N, batch.d] };
  }

  symbols(batch: Batch): Symbols {
    const t = this.net.trace(this.x(batch), batch.labels);
    return { loss: t.loss, layers: t.layers.map((L, i) => ({ input: i === 0 ? t.a0 : t.layers[i - 1].a, delta: L.delta, dW: L.dW, db: L.db })) };
  }

  step(batch: Batch, lr: number): number {
    return this.net.sgdStep(this.x(batch), batch.labels, lr);
  }

  forward(batch: Batch): void {
    this.net.forward(this.x(batch));
    this.lastLabels = batch.labels;
  }

  backward(): void {
    if (this.lastLabels === null) throw new Error('manual engine: backward() before forward()');
    this.net.backward(this.lastLabels);
  }
}
