// A correct user engine in plain JavaScript with no tapegrad import, as someone outside the repository writes one:
// any depth, sigmoid/tanh/relu/identity hidden layers, softmax + mean cross-entropy, nested arrays throughout.
// It has every optional part (step, forward, backward), so the bench runs it in lockstep with its own update and
// times it. The tests load it by path, through the CLI and directly.

const ACT = {
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), df: (z, a) => a * (1 - a) },
  tanh: { f: Math.tanh, df: (z, a) => 1 - a * a },
  relu: { f: (z) => (z > 0 ? z : 0), df: (z) => (z > 0 ? 1 : 0) },
  identity: { f: (z) => z, df: () => 1 },
};

const matmul = (a, b) => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const transpose = (a) => a[0].map((_, j) => a.map((row) => row[j]));

export function engine(network) {
  const acts = network.activations.map((name) => {
    if (!(name in ACT)) throw new Error(`plain-mlp: no activation ${name}`);
    return ACT[name];
  });
  const n = network.sizes.length - 1;
  let cache = null;

  function forward({ W, b }, { x, labels }) {
    const z = [null];
    const a = [x];
    for (let l = 1; l <= n; l++) {
      z[l] = matmul(a[l - 1], W[l - 1]).map((row) => row.map((v, j) => v + b[l - 1][j]));
      if (l < n) a[l] = z[l].map((row) => row.map((v) => acts[l - 1].f(v)));
      else
        a[l] = z[l].map((row) => {
          const m = Math.max(...row);
          const e = row.map((v) => Math.exp(v - m));
          const s = e.reduce((t, v) => t + v, 0);
          return e.map((v) => v / s);
        });
    }
    const N = x.length;
    const loss = -a[n].reduce((s, row, i) => s + Math.log(row[labels[i]]), 0) / N;
    cache = { W, z, a, labels, N, loss };
    return loss;
  }

  function backward() {
    const { W, z, a, labels, N, loss } = cache;
    const delta = [];
    const dW = [];
    const db = [];
    delta[n] = a[n].map((row, i) => row.map((v, j) => (v - (j === labels[i] ? 1 : 0)) / N));
    for (let l = n; l >= 1; l--) {
      if (l < n) {
        const back = matmul(delta[l + 1], transpose(W[l]));
        delta[l] = back.map((row, i) => row.map((v, j) => v * acts[l - 1].df(z[l][i][j], a[l][i][j])));
      }
      dW[l] = matmul(transpose(a[l - 1]), delta[l]);
      db[l] = delta[l][0].map((_, j) => delta[l].reduce((s, row) => s + row[j], 0));
    }
    return { loss, delta: delta.slice(1), dW: dW.slice(1), db: db.slice(1) };
  }

  return {
    name: 'plain-mlp',
    gradients(params, batch) {
      forward(params, batch);
      return backward();
    },
    step(params, batch, lr) {
      forward(params, batch);
      const g = backward();
      return {
        W: params.W.map((w, l) => w.map((row, i) => row.map((v, j) => v - lr * g.dW[l][i][j]))),
        b: params.b.map((bl, l) => bl.map((v, j) => v - lr * g.db[l][j])),
        loss: g.loss,
      };
    },
    forward,
    backward,
  };
}
