import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor, zeros } from '../creation.ts';
import { gradgradcheck } from '../gradgradcheck.ts';
import type { DType, FusedActivation } from '../kernels/index.ts';
import { backendAvailable, getBackend, KERNEL_BACKENDS, setBackend } from '../kernels/index.ts';
import { gemmStats } from '../kernels/internal.ts';
import { checkGrads } from '../testing/check-grads.ts';
import type { Tensor } from '../tensor.ts';
import { add, linear, matmul, relu, sigmoid, tanh } from './index.ts';

const ACTS: Record<FusedActivation, (z: Tensor) => Tensor> = { relu, sigmoid, tanh };

describe('linear: z = x W + b in one op', () => {
  it.each([
    [[2, 3], [3, 4], [4]],
    [[1, 5], [5, 1], [1]],
    [[4, 1], [1, 3], [3]],
  ])('gradients for x %j, W %j, b %j', (sx, sw, sb) => {
    const plain = (x: Tensor, W: Tensor, b: Tensor) => linear(x, W, b);
    checkGrads(plain, [sx, sw, sb]);
    checkGrads(plain, [sx, sw, sb], { constants: [0] });
  });

  it('gives add(matmul(x, W), b) bit for bit, below and above the wasm thresholds', () => {
    for (const [m, kk, n] of [[3, 2, 2], [64, 33, 17]]) {
      const x = tensor(Array.from({ length: m }, (_, i) => Array.from({ length: kk }, (_, j) => Math.sin(i * kk + j))));
      const W = tensor(Array.from({ length: kk }, (_, i) => Array.from({ length: n }, (_, j) => Math.cos(i * n + j))));
      const b = tensor(Array.from({ length: n }, (_, j) => j / 7));
      expect(Array.from(linear(x, W, b).data)).toEqual(Array.from(add(matmul(x, W), b).data));
    }
  });

  it('names the op and the shapes that do not chain', () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 5]), zeros([5]))).toThrow(
      'linear: shapes do not chain: x is [2, 3], W is [4, 5], b is [5]; expected x [N, in], W [in, out], b [out]',
    );
    expect(() => linear(zeros([2, 3]), zeros([3, 5]), zeros([4]))).toThrow('linear: shapes do not chain');
    expect(() => linear(zeros([3]), zeros([3, 5]), zeros([5]))).toThrow('linear: expected x 2-D, W 2-D and b 1-D, got x [3]');
  });
});

describe('linear with an activation: a = act(x W + b) in one op', () => {
  for (const act of ['relu', 'sigmoid', 'tanh'] as const) {
    it(`${act}: gradients against central differences, first and second order`, () => {
      const fused = (x: Tensor, W: Tensor, b: Tensor) => linear(x, W, b, act);
      checkGrads(fused, [[3, 4], [4, 5], [5]]);
      checkGrads(fused, [[3, 4], [4, 5], [5]], { constants: [0] });
      if (act !== 'relu') {
        manualSeed(3);
        const inputs = [randn([2, 3], { dtype: 'float64', requiresGrad: true }), randn([3, 2], { dtype: 'float64', requiresGrad: true }), randn([2], { dtype: 'float64', requiresGrad: true })];
        expect(gradgradcheck(fused, inputs).ok).toBe(true);
      }
    });

    const backends = KERNEL_BACKENDS.filter((name) => backendAvailable(name));
    for (const backend of backends) {
      it(`${act}: the values and gradients of ${act}(linear(x, W, b)), bit for bit, on the ${backend} backend`, () => {
        const previous = getBackend();
        setBackend(backend);
        try {
          for (const dtype of ['float32', 'float64'] as DType[]) {
            // below the wasm thresholds, and above them (where the wasm backend applies ReLU inside the module)
            for (const [m, kk, n] of [[3, 2, 2], [64, 33, 70]]) {
              manualSeed(m + n);
              const leaves = () => [randn([m, kk], { dtype }), randn([kk, n], { dtype }), randn([n], { dtype })].map((t) => t.requiresGrad_());
              const [x1, W1, b1] = leaves();
              const [x2, W2, b2] = [x1, W1, b1].map((t) => t.detach().requiresGrad_());
              const g = randn([m, n], { dtype });
              const calls = gemmStats.calls;
              const fused = linear(x1, W1, b1, act);
              expect(gemmStats.calls - calls).toBe(backend === 'wasm' && m * kk * n >= 512 ? 1 : 0);
              const unfused = ACTS[act](linear(x2, W2, b2));
              expect(fused.data.every((v, i) => Object.is(v, unfused.data[i])), `${dtype} ${m}×${kk}×${n} values`).toBe(true);
              fused.backward({ gradient: g });
              unfused.backward({ gradient: g });
              for (const [p, q] of [[x1, x2], [W1, W2], [b1, b2]]) {
                expect(p.grad!.data.every((v, i) => Object.is(v, q.grad!.data[i])), `${dtype} ${m}×${kk}×${n} gradients`).toBe(true);
              }
            }
          }
        } finally {
          setBackend(previous);
        }
      });
    }
  }

  it('refuses an activation it cannot apply, naming the choices', () => {
    expect(() => linear(zeros([2, 3]), zeros([3, 5]), zeros([5]), 'leakyRelu' as FusedActivation)).toThrow(
      `linear: activation "leakyRelu"; expected 'relu', 'sigmoid' or 'tanh' (or none, for z = x W + b)`,
    );
    expect(() => linear(zeros([2, 3]), zeros([3, 5]), zeros([5]), 'toString' as FusedActivation)).toThrow('linear: activation "toString"');
  });
});
