// The CS231n spiral (3 interleaved arms, not linearly separable) learned by a 2-64-64-3 ReLU MLP with Adam.
// The model and the training loop are the dozen lines in the middle; the rest makes the data and prints.
// Run: pnpm exec tsx packages/autograd/examples/spiral-adam.ts   (seeded: every run prints the same numbers)

import { crossEntropy, manualSeed, nn, noGrad, optim, Random, tensor } from '../src/index.ts';

// 3 × 100 points: arm j at radius r ∈ [0, 1], angle 4j + 4r plus noise
const rng = new Random(0);
const points: number[][] = [];
const labels: number[] = [];
for (let j = 0; j < 3; j++) {
  for (let i = 0; i < 100; i++) {
    const r = i / 99;
    const theta = 4 * j + 4 * r + 0.2 * rng.normal();
    points.push([r * Math.sin(theta), r * Math.cos(theta)]);
    labels.push(j);
  }
}

// ── the model and its training: nn + optim.Adam ───────────────────────────────────────────────────────────────
manualSeed(0);
const x = tensor(points);
const model = nn.MLP([2, 64, 64, 3], 'relu');
const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
for (let step = 1; step <= 300; step++) {
  opt.zeroGrad();
  const loss = crossEntropy(model.call(x), labels);
  loss.backward();
  opt.step();
  if (step % 50 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
}
// ──────────────────────────────────────────────────────────────────────────────────────────────────────────────

const accuracy = noGrad(() => {
  const logits = model.call(x).toArray() as number[][];
  return logits.filter((row, i) => row.indexOf(Math.max(...row)) === labels[i]).length / labels.length;
});
console.log(`training accuracy: ${(100 * accuracy).toFixed(1)}%`);
