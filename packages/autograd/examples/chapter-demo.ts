// The chapter's network, trained by the autograd engine: sizes 2-2-2-3, sigmoid hidden layers, softmax output,
// mean cross-entropy, plain SGD. Nothing here differentiates by hand: backward() walks the recorded forward.
// Run with `pnpm demo`. Seeded, so every run prints the same numbers.

import type { Tensor } from '../src/index.ts';
import { crossEntropy, max, noGrad, Random, randn, softmax, tensor, zeros } from '../src/index.ts';

const sizes = [2, 2, 2, 3];
const rng = new Random(2024);

// Layer l (1-based in the chapter) has W^l (in × out) and a bias row b^l; index l − 1 here.
const W = sizes.slice(1).map((out, i) => randn([sizes[i], out], { rng, std: 1 / Math.sqrt(sizes[i]), requiresGrad: true }));
const b = sizes.slice(1).map((out) => zeros([out], { requiresGrad: true }));
const params = [...W, ...b];

// A toy batch: two points from each of three clusters, labelled by cluster.
const x = tensor([
  [-1.0, -0.8],
  [-0.7, -1.2],
  [1.1, -0.9],
  [0.8, -1.1],
  [0.1, 1.2],
  [-0.2, 0.9],
]);
const labels = [0, 0, 1, 1, 2, 2];

/** z^l = a^{l−1} W^l + b^l, a^l = σ(z^l) for hidden layers; returns the output logits z^n. */
function forward(input: Tensor): Tensor {
  let a = input;
  for (let l = 0; l < W.length; l++) {
    const z = a.matmul(W[l]).add(b[l]);
    a = l < W.length - 1 ? z.sigmoid() : z;
  }
  return a;
}

const lr = 2;
const steps = 600;
for (let step = 0; step <= steps; step++) {
  const loss = crossEntropy(forward(x), labels); // mean over the batch of −ln softmax(z^n)_k
  if (step % 100 === 0) console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(6)}`);
  if (step === steps) break;
  loss.backward(); // fills W^l.grad = (a^{l−1})ᵀ δ^l and b^l.grad = Σ_k δ^l_k
  noGrad(() => {
    for (const p of params) {
      p.data.set(p.sub(p.grad!.mul(lr)).data); // p ← p − lr ∂loss/∂p
      p.zeroGrad();
    }
  });
}

const probabilities = noGrad(() => softmax(forward(x)));
const best = noGrad(() => max(probabilities, 1));
const rows = probabilities.toArray() as number[][];
console.log('\nsample  label  prediction  probabilities');
rows.forEach((p, i) => {
  const predicted = p.indexOf(best.data[i]);
  console.log(`${String(i).padStart(6)}  ${String(labels[i]).padStart(5)}  ${String(predicted).padStart(10)}  [${p.map((v) => v.toFixed(3)).join(', ')}]`);
});
