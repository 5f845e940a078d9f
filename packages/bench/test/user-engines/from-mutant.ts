import type { Batch, Engine, NetworkSpec, UserBatch, UserEngineFactory } from '@tapegrad/bench';
import { toParams } from '@tapegrad/bench';
import type { DType } from '@tapegrad/autograd/kernels';

// One of test/mutants/ (the chapter's backward with one planted mistake) handed over the way a user's engine
// arrives: a factory of plain { gradients, step } objects whose arrays are flat typed arrays. The tests write a
// module outside the repository that exports `engine = fromMutant(…)` and load it by path.

const toBatch = (b: UserBatch): Batch => ({ N: b.x.length, d: b.x[0].length, x: Float64Array.from(b.x.flat()), labels: Int32Array.from(b.labels) });

export function fromMutant(make: (spec: NetworkSpec, dtype: DType) => Engine): UserEngineFactory {
  return (network) => {
    const e = make({ sizes: network.sizes, activation: network.activations }, network.dtype);
    return {
      name: e.name,
      gradients(params, batch) {
        e.setParams(params);
        const s = e.symbols(toBatch(batch));
        return { loss: s.loss, delta: s.layers.map((L) => L.delta.data), dW: s.layers.map((L) => L.dW.data), db: s.layers.map((L) => L.db.data) };
      },
      step(params, batch, lr) {
        e.setParams(params);
        const loss = e.step(toBatch(batch), lr);
        return { ...toParams(e.getParams()), loss };
      },
    };
  };
}
