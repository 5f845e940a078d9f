import type { UserBatch, UserEngine, UserGradients, UserParams } from '@tapegrad/bench';

// A hand-written two-layer network, x → tanh(x W1 + b1) → softmax(a1 W2 + b2), trained on the mean cross-entropy,
// as one writes it for a course exercise: plain arrays, one loop per equation. It has a planted bug (see δ1
// below): its vitest test (two-layer-backprop.test.ts) and the CLI both catch it and name layer 1, δ^1:
//   pnpm bench --engine packages/bench/examples/two-layer-backprop.ts --sizes 4,8,3 --activation tanh --batch 16 --no-speed

type Rows = number[][];

const matmul = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): Rows =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const transpose = (a: readonly (readonly number[])[]): Rows => a[0].map((_, j) => a.map((row) => row[j]));
const colSums = (a: Rows): number[] => a[0].map((_, j) => a.reduce((s, row) => s + row[j], 0));

export function backprop({ W, b }: UserParams, { x, labels }: UserBatch): UserGradients {
  if (W.length !== 2) throw new Error(`two-layer backprop: ${W.length} layers given; it computes 2`);
  const N = x.length;
  const z1 = matmul(x, W[0]).map((row) => row.map((v, j) => v + b[0][j])); //   z1 = x W1 + b1
  const a1 = z1.map((row) => row.map(Math.tanh)); //                                    a1 = tanh(z1)
  const z2 = matmul(a1, W[1]).map((row) => row.map((v, j) => v + b[1][j])); //  z2 = a1 W2 + b2
  const p = z2.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((t, v) => t + v, 0);
    return e.map((v) => v / s); //                                                      p = softmax(z2)
  });
  const loss = -p.reduce((s, row, i) => s + Math.log(row[labels[i]]), 0) / N; //      loss = mean −log p[y]
  const delta2 = p.map((row, i) => row.map((v, j) => (v - (j === labels[i] ? 1 : 0)) / N)); // δ2 = (p − y) / N
  const back = matmul(delta2, transpose(W[1])); //                                      δ2 W2ᵀ
  const delta1 = back.map((row, i) => row.map((v, j) => v * (1 - z1[i][j] ** 2))); //  δ1 = δ2 W2ᵀ ⊙ tanh'(z1)
  // the bug: tanh'(z1) is 1 − tanh(z1)² = 1 − a1², not 1 − z1²
  return {
    loss,
    delta: [delta1, delta2],
    dW: [matmul(transpose(x), delta1), matmul(transpose(a1), delta2)], //               dW^l = (a^{l−1})ᵀ δ^l
    db: [colSums(delta1), colSums(delta2)], //                                          db^l = Σ_rows δ^l
  };
}

/** The engine `--engine` loads: gradients are all the equality check needs. */
export const engine: UserEngine = { name: 'two-layer backprop', gradients: backprop };
