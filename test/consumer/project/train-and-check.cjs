'use strict';
// What a user's program does with the installed packages, written once for both module systems (esm.mjs imports
// the packages, cjs.cjs requires them, and both hand them here). It trains the chapter's 2-2-2-3 sigmoid network
// (docs/backprop-chapter.md) with autograd in lockstep with the manual engine, checking every step's gradients
// against the chapter's hand-derived ones, then does the same on a 2-64-64-3 ReLU network whose products are big
// enough to run in the wasm (or, with TAPEGRAD_BACKEND=native, the native) kernels, and prints a JSON summary; any mismatch throws, so node exits non-zero.

/** max |a − b| / max |b| over two flat arrays of the same length. */
function relDiff(a, b) {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Trains `sizes` with hidden `activation` on (x, y) for `steps` SGD steps in both engines, from the same parameters,
 * and returns the largest relative difference between their gradients (every layer's dW and db) and losses.
 */
function lockstep({ autograd, manual }, { sizes, activation, dtype, params, x, y, steps, lr }) {
  const { crossEntropy, noGrad, tensor } = autograd;
  const net = new manual.ManualMLP({ sizes, activation, dtype, params });
  const W = params.W.map((rows) => tensor(rows, { dtype, requiresGrad: true }));
  const b = params.b.map((row) => tensor(row, { dtype, requiresGrad: true }));
  const xs = tensor(x, { dtype });
  let worst = 0;
  const losses = [];
  for (let step = 0; step < steps; step++) {
    // z^l = a^{l−1} W^l + b^l, a^l = act(z^l) for the hidden layers; the loss is the mean cross-entropy of softmax(z^n)
    let a = xs;
    for (let l = 0; l < W.length; l++) {
      const z = a.matmul(W[l]).add(b[l]);
      a = l < W.length - 1 ? z[activation]() : z;
    }
    const loss = crossEntropy(a, y);
    loss.backward();
    const ref = net.lossAndGrads(x, y);
    worst = Math.max(worst, relDiff([loss.item()], [ref.loss]));
    for (let l = 0; l < W.length; l++) {
      worst = Math.max(worst, relDiff(W[l].grad.data, ref.dW[l].data), relDiff(b[l].grad.data, ref.db[l].data));
    }
    losses.push(ref.loss);
    net.sgdStep(x, y, lr);
    noGrad(() => {
      for (const p of [...W, ...b]) {
        p.data.set(p.sub(p.grad.mul(lr)).data); // p ← p − lr ∂loss/∂p
        p.zeroGrad();
      }
    });
  }
  return { worst, firstLoss: losses[0], lastLoss: losses[losses.length - 1] };
}

/** A seeded normal matrix (rows × cols) as nested rows, scaled by `std`. */
function normalRows(rng, rows, cols, std) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal() * std));
}

function trainAndCheck(packages) {
  const { kernels, manual } = packages;
  // wasm by default; native where the test asks for it (TAPEGRAD_BACKEND=native)
  const expected = process.env.TAPEGRAD_BACKEND || 'wasm';
  const backend = kernels.getBackend();
  if (backend !== expected) throw new Error(`expected the ${expected} kernel backend, got ${backend}: ${kernels.backendUnavailableReason(expected)}`);

  // The chapter's worked example, float64: its parameters and batch of three.
  const ex = manual.chapterExample;
  const chapter = lockstep(packages, {
    sizes: ex.sizes, activation: ex.activation, dtype: 'float64', params: ex.params, x: ex.batch.x, y: ex.batch.y, steps: 50, lr: 0.5,
  });
  if (!(chapter.worst < 1e-12)) throw new Error(`chapter: autograd's gradients differ from the manual engine's by ${chapter.worst}`);
  if (!(chapter.lastLoss < chapter.firstLoss)) throw new Error(`chapter: the loss did not fall (${chapter.firstLoss} → ${chapter.lastLoss})`);

  // 2-64-64-3 ReLU on 64 rows, float32: its products (64×2×64 multiply-adds and up) are past the wasm thresholds.
  const rng = new kernels.Random(7);
  const sizes = [2, 64, 64, 3];
  const params = {
    W: sizes.slice(1).map((out, l) => normalRows(rng, sizes[l], out, Math.sqrt(2 / sizes[l]))),
    b: sizes.slice(1).map((out) => new Array(out).fill(0)),
  };
  const x = normalRows(rng, 64, 2, 1);
  const y = x.map(([u, v]) => (u > 0 ? (v > 0 ? 0 : 1) : 2));
  const wide = lockstep(packages, { sizes, activation: 'relu', dtype: 'float32', params, x, y, steps: 10, lr: 0.1 });
  if (!(wide.worst < 1e-5)) throw new Error(`2-64-64-3: autograd's gradients differ from the manual engine's by ${wide.worst}`);

  // The kernels themselves, loaded from the package's own build/ (or, native, compiled from its native/): on a size
  // past the thresholds the product runs in them, and agrees with the JS reference kernels (selected through the
  // public setBackend).
  const [m, k, n] = [64, 64, 64];
  const a = rng.normalArray('float32', m * k);
  const w = rng.normalArray('float32', k * n);
  const viaBackend = kernels.matmul(a, w, new Float32Array(m * n), m, k, n);
  kernels.setBackend('js');
  const viaRef = kernels.matmul(a, w, new Float32Array(m * n), m, k, n);
  kernels.setBackend(backend);
  const matmulVsRef = relDiff(viaBackend, viaRef);
  if (!(matmulVsRef < 1e-5)) throw new Error(`${backend} matmul differs from the JS reference by ${matmulVsRef}`);

  return { backend, fma: kernels.wasmFusedMultiplyAdd(), chapter, wide, matmulVsRef };
}

module.exports = { trainAndCheck };
