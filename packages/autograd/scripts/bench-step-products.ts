// The eight matrix products of one training step of 784-256-128-10 (batch 128, float32), each alone, as the step
// calls them (the layers' products with bias and ReLU, the backward's aᵀδ and δWᵀ), W resident as nn.Linear's are:
// median ms each and in all. With TAPEGRAD_THREADS=1 for one thread; --backend native for OpenBLAS's products.
// RESULTS.md compares them with PyTorch's step.
//
//   pnpm exec tsx packages/autograd/scripts/bench-step-products.ts [--backend wasm|native|js]
import { parseArgs } from 'node:util';
import type { KernelBackend } from '@tapegrad/autograd/kernels';
import { allocateResident, getBackend, kernelThreadsReady, matmulBias, matmulBiasAct, matmulNT, matmulTN, nativeCore, setBackend } from '@tapegrad/autograd/kernels';

const { values } = parseArgs({ options: { backend: { type: 'string' } } });
if (values.backend !== undefined) setBackend(values.backend as KernelBackend);
const threads = await kernelThreadsReady();
const B = 128;
const filled = (x: Float32Array) => x.map(() => Math.random() - 0.5);
const param = (n: number) => {
  const x = allocateResident('float32', n) as Float32Array;
  x.set(filled(new Float32Array(n)));
  return x;
};
const act = (n: number) => filled(new Float32Array(n));
const [x, W1, b1, W2, b2, W3, b3] = [act(B * 784), param(784 * 256), param(256), param(256 * 128), param(128), param(1280), act(10)];
const [a1, a2, z3, d3, d2, d1] = [act(B * 256), act(B * 128), act(B * 10), act(B * 10), act(B * 128), act(B * 256)];
const [dW1, dW2, dW3, da2, da1] = [act(784 * 256), act(256 * 128), act(1280), act(B * 128), act(B * 256)];

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
function time(f: () => unknown): number {
  for (let i = 0; i < 20; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

const products: [string, number, () => unknown][] = [
  ['a1 = relu(x W1 + b1)', B * 784 * 256, () => matmulBiasAct(x, W1, b1, 'relu', a1, B, 784, 256)],
  ['a2 = relu(a1 W2 + b2)', B * 256 * 128, () => matmulBiasAct(a1, W2, b2, 'relu', a2, B, 256, 128)],
  ['z3 = a2 W3 + b3', B * 128 * 10, () => matmulBias(a2, W3, b3, z3, B, 128, 10)],
  ['dW3 = a2ᵀ δ3', B * 128 * 10, () => matmulTN(a2, d3, dW3, 128, B, 10)],
  ['δa2 = δ3 W3ᵀ', B * 128 * 10, () => matmulNT(d3, W3, da2, B, 10, 128)],
  ['dW2 = a1ᵀ δ2', B * 256 * 128, () => matmulTN(a1, d2, dW2, 256, B, 128)],
  ['δa1 = δ2 W2ᵀ', B * 256 * 128, () => matmulNT(d2, W2, da1, B, 128, 256)],
  ['dW1 = xᵀ δ1', B * 784 * 256, () => matmulTN(x, d1, dW1, 784, B, 256)],
];
const backend = getBackend() === 'native' ? `native (OpenBLAS ${nativeCore()})` : getBackend();
console.log(`${backend}, ${threads} thread(s); median ms, and G multiply-adds a second`);
let total = 0;
let macs = 0;
for (const [name, n, f] of products) {
  const ms = time(f);
  total += ms;
  macs += n;
  console.log(`${name.padEnd(24)}${ms.toFixed(3).padStart(8)}${(n / ms / 1e6).toFixed(1).padStart(8)}`);
}
console.log(`${'all eight'.padEnd(24)}${total.toFixed(3).padStart(8)}${(macs / total / 1e6).toFixed(1).padStart(8)}`);
