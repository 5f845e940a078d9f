import type { ActivationName } from '@tapegrad/autograd/kernels';
import { expect } from 'vitest';
import { ManualMLP } from './mlp.ts';
import type { Gradients, MLPParams, XInput, YInput } from './types.ts';

// Test helper (not part of the package surface): float64 central differences of the loss with respect to every
// W^l and b^l entry, computed through the public API only, so that analytic gradients can be checked against them.

export interface Spec {
  readonly sizes: readonly number[];
  readonly activation: ActivationName | readonly ActivationName[];
}

/** Central differences (L(θ + ε) − L(θ − ε)) / 2ε for every parameter, in float64, layer 1 at index 0. */
export function centralDifferences(spec: Spec, params: MLPParams, x: XInput, y: YInput, eps = 1e-6): { dW: number[][][]; db: number[][] } {
  const net = new ManualMLP({ ...spec, dtype: 'float64', params });
  const p = net.getParams();
  const loss = () => {
    net.setParams(p);
    return net.lossAndGrads(x, y).loss;
  };
  const diff = (get: () => number, set: (v: number) => void) => {
    const v = get();
    set(v + eps);
    const up = loss();
    set(v - eps);
    const down = loss();
    set(v);
    return (up - down) / (2 * eps);
  };
  const dW = p.W.map((Wl) => Wl.map((row) => row.map((_, j) => diff(() => row[j], (v) => (row[j] = v)))));
  const db = p.b.map((bl) => bl.map((_, j) => diff(() => bl[j], (v) => (bl[j] = v))));
  return { dW, db };
}

/** Expects every analytic gradient entry to be within abs + rel·|numeric| of the central difference. */
export function expectGradientsClose(analytic: Gradients, numeric: { dW: number[][][]; db: number[][] }, abs: number, rel: number): void {
  numeric.dW.forEach((Wl, i) => {
    const cols = analytic.dW[i].shape[1];
    Wl.forEach((row, r) =>
      row.forEach((expected, j) => {
        const got = analytic.dW[i].data[r * cols + j];
        expect(Math.abs(got - expected), `dW[${i}][${r}][${j}]: ${got} vs ${expected}`).toBeLessThanOrEqual(abs + rel * Math.abs(expected));
      }),
    );
  });
  numeric.db.forEach((bl, i) =>
    bl.forEach((expected, j) => {
      const got = analytic.db[i].data[j];
      expect(Math.abs(got - expected), `db[${i}][${j}]: ${got} vs ${expected}`).toBeLessThanOrEqual(abs + rel * Math.abs(expected));
    }),
  );
}
