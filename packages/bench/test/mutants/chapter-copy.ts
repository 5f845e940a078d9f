import type { Batch, Engine, FlatParams, NetworkSpec, Params, Symbols } from '@tapegrad/bench';
import { batchX, flattenParams, hiddenActivations } from '@tapegrad/bench';
import type { Activation, DType, FloatArray } from '@tapegrad/autograd/kernels';
import {
  activationByName,
  addRow,
  allocate,
  axpy,
  crossEntropyIndices,
  hadamard,
  matmul,
  matmulNT,
  matmulTN,
  oneHot,
  scale,
  softmaxRows,
  subtract,
  sumRows,
} from '@tapegrad/autograd/kernels';

// A copy of the chapter's forward and backward written with the kernels, one overridable method per equation,
// so that each mutant (./*.ts) changes exactly one line of the derivation. Unmodified, it must agree with both
// engines; each mutant must be caught, at the right layer and symbol, by the equality report.
// Layers are 1-based like the chapter: W[l], b[l], z[l], a[l], delta[l] for l = 1 … n, a[0] = x.

export class ChapterCopy implements Engine {
  readonly name: string = 'chapter copy';
  readonly sizes: readonly number[];
  readonly dtype: DType;
  protected readonly n: number;
  protected readonly act: Activation[];
  protected W: FloatArray[] = [];
  protected b: FloatArray[] = [];
  protected N = 0;
  protected a: FloatArray[] = [];
  protected z: FloatArray[] = [];
  protected delta: FloatArray[] = [];
  protected dW: FloatArray[] = [];
  protected db: FloatArray[] = [];
  protected Y: FloatArray = new Float64Array(0);
  protected labels: Int32Array = new Int32Array(0);

  constructor(spec: NetworkSpec, dtype: DType) {
    this.sizes = spec.sizes;
    this.dtype = dtype;
    this.n = spec.sizes.length - 1;
    this.act = [activationByName('identity'), ...hiddenActivations(spec).map((name) => activationByName(name))];
  }

  setParams(params: Params): void {
    const flat = flattenParams(params, this.sizes);
    const cast = (x: Float64Array) => (this.dtype === 'float64' ? x : Float32Array.from(x));
    this.W = [allocate(this.dtype, 0), ...flat.W.map(cast)];
    this.b = [allocate(this.dtype, 0), ...flat.b.map(cast)];
  }

  getParams(): FlatParams {
    const s = this.sizes;
    return {
      W: this.W.slice(1).map((w, i) => ({ data: w.slice(), shape: [s[i], s[i + 1]] })),
      b: this.b.slice(1).map((b, i) => ({ data: b.slice(), shape: [s[i + 1]] })),
    };
  }

  // ---- the equations, one method each ----

  /** a^n = softmax(z^n), row by row */
  protected outputActivation(zn: FloatArray, out: FloatArray, N: number, k: number): void {
    softmaxRows(zn, out, N, k);
  }

  /** δ^n = (a^n − y) / N */
  protected outputDelta(an: FloatArray, Y: FloatArray, out: FloatArray, N: number): void {
    scale(subtract(an, Y, out), 1 / N, out);
  }

  /** δ^l = δ^{l+1} (W^{l+1})ᵀ ⊙ act'(z^l) */
  protected passDown(l: number): void {
    const s = this.sizes;
    const prime = this.act[l].df(this.z[l], allocate(this.dtype, this.z[l].length));
    hadamard(matmulNT(this.delta[l + 1], this.W[l + 1], this.delta[l], this.N, s[l + 1], s[l]), prime, this.delta[l]);
  }

  /** ∂loss/∂W^l = (a^{l−1})ᵀ δ^l */
  protected weightGrad(l: number): void {
    const s = this.sizes;
    matmulTN(this.a[l - 1], this.delta[l], this.dW[l], s[l - 1], this.N, s[l]);
  }

  /** ∂loss/∂b^l = Σ_rows δ^l */
  protected biasGrad(l: number): void {
    sumRows(this.delta[l], this.db[l], this.N, this.sizes[l]);
  }

  /** The backward loop runs l = n … lowestLayer(). */
  protected lowestLayer(): number {
    return 1;
  }

  // ---- the passes ----

  forward(batch: Batch): void {
    const { n, sizes: s, dtype } = this;
    const N = batch.N;
    this.N = N;
    this.a = [batchX(batch, dtype)];
    this.z = [allocate(dtype, 0)];
    for (let l = 1; l <= n; l++) {
      const z = addRow(matmul(this.a[l - 1], this.W[l], allocate(dtype, N * s[l]), N, s[l - 1], s[l]), this.b[l], allocate(dtype, N * s[l]), N, s[l]);
      this.z.push(z);
      const a = allocate(dtype, N * s[l]);
      if (l < n) this.act[l].f(z, a);
      else this.outputActivation(z, a, N, s[n]);
      this.a.push(a);
    }
    this.labels = batch.labels;
    this.Y = oneHot(batch.labels, allocate(dtype, N * s[n]), N, s[n]);
  }

  backward(): void {
    const { n, sizes: s, dtype, N } = this;
    this.delta = s.map((w) => allocate(dtype, N * w));
    this.dW = s.map((w, l) => allocate(dtype, l === 0 ? 0 : s[l - 1] * w));
    this.db = s.map((w) => allocate(dtype, w));
    this.outputDelta(this.a[n], this.Y, this.delta[n], N);
    for (let l = n; l >= this.lowestLayer(); l--) {
      if (l < n) this.passDown(l);
      this.weightGrad(l);
      this.biasGrad(l);
    }
  }

  private loss(): number {
    return crossEntropyIndices(this.z[this.n], this.labels, this.N, this.sizes[this.n]);
  }

  symbols(batch: Batch): Symbols {
    this.forward(batch);
    this.backward();
    const s = this.sizes;
    const N = this.N;
    const layers = [];
    for (let l = 1; l <= this.n; l++) {
      layers.push({
        input: { data: this.a[l - 1].slice(), shape: [N, s[l - 1]] },
        delta: { data: this.delta[l].slice(), shape: [N, s[l]] },
        dW: { data: this.dW[l].slice(), shape: [s[l - 1], s[l]] },
        db: { data: this.db[l].slice(), shape: [this.db[l].length] },
      });
    }
    return { loss: this.loss(), layers };
  }

  step(batch: Batch, lr: number): number {
    this.forward(batch);
    this.backward();
    const loss = this.loss();
    for (let l = 1; l <= this.n; l++) {
      axpy(-lr, this.dW[l], this.W[l]);
      axpy(-lr, this.db[l].length === this.b[l].length ? this.db[l] : this.b[l].map(() => 0), this.b[l]);
    }
    return loss;
  }
}
