// The training extras against PyTorch float64 (fixtures/training-extra-reference.json, written by
// fixtures/generate_training_extra.py): every learning-rate schedule over 100 steps, Dropout's train/eval behaviour,
// LayerNorm/BatchNorm1d outputs, gradients and running statistics, Embedding, clipGradNorm, RMSprop and Adagrad
// trajectories, and safetensors files in both directions. Everything to 1e-10 relative.
import { describe, expect, it } from 'vitest';
import type { FlatTensor } from '../../../fixtures/reference.ts';
import { optimReference } from '../../../fixtures/reference.ts';
import { tapegradModel, tapegradTensors, TAPEGRAD_METADATA } from '../../../fixtures/tapegrad-model.ts';
import type { SchedulerReferenceCase } from '../../../fixtures/training-extra.ts';
import { fixtureBytes, trainingExtraReference } from '../../../fixtures/training-extra.ts';
import type { Tensor } from './index.ts';
import { crossEntropy, loadSafetensors, matmul, nn, noGrad, optim, parseSafetensors, Random, randn, saveSafetensors, sum, tanh, tensor } from './index.ts';

const ref = trainingExtraReference();
const TOL = 1e-10;

/** max |a − b| / |b| with |b| floored at 1e-8, so entries that pass through ~0 do not dominate. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-8));
  return worst;
}

function expectClose(got: Tensor, want: FlatTensor, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  const err = relErr(got.data, want.data);
  expect(err, `${what}: max relative error ${err.toExponential(2)}`).toBeLessThanOrEqual(TOL);
}

const t64 = (f: FlatTensor, requiresGrad = false) => tensor(f.data, { dtype: 'float64', shape: f.shape, requiresGrad });

/** torch's snake_case kwargs as our camelCase options. */
const camel = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));

/** How each fixture scheduler is made from torch's kwargs: one row per scheduler. */
type AnyOptimizer = optim.Optimizer<{ lr: number }>;
const SCHEDULER: Record<string, (opt: AnyOptimizer, a: Record<string, never>) => { step(metric?: number): void; getLastLr(): number[] }> = {
  StepLR: (opt, a) => new optim.lrScheduler.StepLR(opt, a.step_size, { gamma: a.gamma }),
  MultiStepLR: (opt, a) => new optim.lrScheduler.MultiStepLR(opt, a.milestones, { gamma: a.gamma }),
  ExponentialLR: (opt, a) => new optim.lrScheduler.ExponentialLR(opt, a.gamma),
  CosineAnnealingLR: (opt, a) => new optim.lrScheduler.CosineAnnealingLR(opt, a.T_max, { etaMin: a.eta_min }),
  LinearLR: (opt, a) => new optim.lrScheduler.LinearLR(opt, camel(a)),
  OneCycleLR: (opt, a) => new optim.lrScheduler.OneCycleLR(opt, camel(a) as never),
  ReduceLROnPlateau: (opt, a) => new optim.lrScheduler.ReduceLROnPlateau(opt, camel(a)),
};

function runSchedule(c: SchedulerReferenceCase): { lrs: number[][]; momenta: number[][] } {
  const groups = c.groupLrs.map((lr) => ({ params: [tensor([0], { dtype: 'float64', requiresGrad: true })], lr }));
  const options = camel(c.optimizerOptions) as never;
  const opt = (c.optimizer === 'SGD' ? new optim.SGD(groups, options) : new optim.Adam(groups, options)) as unknown as AnyOptimizer;
  const scheds = c.schedulers.map(({ scheduler, args }) => SCHEDULER[scheduler](opt, args as Record<string, never>));
  const momentum = () => opt.paramGroups.map((g) => ((g as { betas?: number[] }).betas?.[0] ?? (g as { momentum?: number }).momentum)!);
  const lrs = [opt.paramGroups.map((g) => g.lr)];
  const momenta = [momentum()];
  for (let k = 0; k < c.lrs.length - 1; k++) {
    opt.step();
    for (const s of scheds) s.step(c.metrics?.[k]);
    lrs.push(opt.paramGroups.map((g) => g.lr));
    momenta.push(momentum());
    expect(scheds.at(-1)!.getLastLr()).toEqual(lrs.at(-1));
  }
  return { lrs, momenta };
}

describe('learning-rate schedulers reproduce PyTorch 1.13, stepped 100 times', () => {
  it('covers every scheduler', () => {
    expect(new Set(ref.schedulers.flatMap((c) => c.schedulers.map((s) => s.scheduler)))).toEqual(new Set(Object.keys(SCHEDULER)));
  });
  for (const c of ref.schedulers) {
    it(`${c.name}: ${c.schedulers.map((s) => `${s.scheduler}(${JSON.stringify(s.args)})`).join(' + ')}`, () => {
      const { lrs, momenta } = runSchedule(c);
      expect(lrs).toHaveLength(101);
      const err = relErr(lrs.flat(), c.lrs.flat());
      expect(err, `max relative error ${err.toExponential(2)}`).toBeLessThanOrEqual(TOL);
      if (c.momenta !== undefined) expect(relErr(momenta.flat(), c.momenta.flat())).toBeLessThanOrEqual(TOL);
    });
  }
});

describe('Dropout behaves as torch.nn.Dropout', () => {
  for (const c of ref.dropout) {
    it(`p = ${c.p}: the same zeroed fraction (±1%), kept elements scaled by PyTorch's 1/(1 − p), eval() the identity`, () => {
      const x = randn([c.size], { dtype: 'float64', rng: new Random(c.p * 1000) });
      const drop = new nn.Dropout(c.p, { rng: new Random(1) });
      const y = drop.call(x);
      let [zeroed, lo, hi] = [0, Infinity, -Infinity]; // the range of y / x over the kept elements
      for (let i = 0; i < y.size; i++) {
        if (y.data[i] === 0) zeroed++;
        else [lo, hi] = [Math.min(lo, y.data[i] / x.data[i]), Math.max(hi, y.data[i] / x.data[i])];
      }
      expect(Math.abs(zeroed / y.size - c.zeroFraction)).toBeLessThan(0.01);
      if (c.keptScale.length > 0) {
        expect(relErr([lo, hi], [Math.min(...c.keptScale), Math.max(...c.keptScale)])).toBeLessThanOrEqual(TOL);
      } else {
        expect(zeroed).toBe(y.size);
      }
      drop.eval();
      expect(drop.call(x) === x).toBe(c.evalIsIdentity);
    });
  }
});

describe('LayerNorm matches torch.nn.LayerNorm', () => {
  for (const c of ref.layerNorm) {
    it(`${c.name}: output and gradients of x, weight, bias`, () => {
      const ln = new nn.LayerNorm(c.normalizedShape, { eps: c.eps, elementwiseAffine: c.elementwiseAffine, dtype: 'float64' });
      if (c.elementwiseAffine) {
        ln.weight!.data.set(c.weight!.data);
        ln.bias!.data.set(c.bias!.data);
      }
      const x = t64(c.x, true);
      const y = ln.call(x);
      expectClose(y, c.output, 'output');
      sum(y.mul(t64(c.upstream))).backward();
      expectClose(x.grad!, c.gradX, 'gradX');
      if (c.elementwiseAffine) {
        expectClose(ln.weight!.grad!, c.gradWeight!, 'gradWeight');
        expectClose(ln.bias!.grad!, c.gradBias!, 'gradBias');
      }
    });
  }
});

describe('BatchNorm1d matches torch.nn.BatchNorm1d', () => {
  for (const c of ref.batchNorm) {
    it(`${c.name}: outputs, gradients and running statistics over ${c.steps.length} steps (train then eval)`, () => {
      const bn = new nn.BatchNorm1d(c.numFeatures, { momentum: c.momentum, eps: c.eps, affine: c.affine, trackRunningStats: c.trackRunningStats, dtype: 'float64' });
      if (c.affine) {
        bn.weight!.data.set(c.weight!.data);
        bn.bias!.data.set(c.bias!.data);
      }
      for (const [k, s] of c.steps.entries()) {
        bn.train(s.mode === 'train');
        bn.zeroGrad();
        const x = t64(s.x, true);
        const y = bn.call(x);
        expectClose(y, s.output, `step ${k} output`);
        sum(y.mul(t64(s.upstream))).backward();
        expectClose(x.grad!, s.gradX, `step ${k} gradX`);
        if (c.affine) {
          expectClose(bn.weight!.grad!, s.gradWeight!, `step ${k} gradWeight`);
          expectClose(bn.bias!.grad!, s.gradBias!, `step ${k} gradBias`);
        }
        if (c.trackRunningStats) {
          expectClose(bn.runningMean!, s.runningMean!, `step ${k} runningMean`);
          expectClose(bn.runningVar!, s.runningVar!, `step ${k} runningVar`);
          expect(bn.numBatchesTracked).toBe(s.numBatchesTracked);
        }
      }
    });
  }
});

describe('Embedding and clipGradNorm match PyTorch', () => {
  it('Embedding: output and the weight gradient (repeated indices add up)', () => {
    const e = ref.embedding;
    const emb = new nn.Embedding(5, 3, { dtype: 'float64' });
    emb.weight.data.set(e.weight.data);
    const y = emb.call(tensor(e.indices));
    expectClose(y, e.output, 'output');
    sum(y.mul(t64(e.upstream))).backward();
    expectClose(emb.weight.grad!, e.gradWeight, 'gradWeight');
  });

  for (const c of ref.clipGradNorm) {
    it(`clipGradNorm(maxNorm ${c.maxNorm}, normType ${c.normType}): the total norm and the clipped gradients`, () => {
      const params = c.grads.map((g) => {
        const p = t64(g, true);
        p.grad = t64(g);
        return p;
      });
      const total = nn.utils.clipGradNorm(params, c.maxNorm, { normType: c.normType === 'inf' ? Infinity : c.normType });
      expect(relErr([total], [c.totalNorm])).toBeLessThanOrEqual(TOL);
      params.forEach((p, i) => expectClose(p.grad!, c.clipped[i], `gradient ${i}`));
    });
  }
});

describe('RMSprop and Adagrad reproduce PyTorch float64 trajectories (the problem of optim-reference.json)', () => {
  const { x: xs, labels, W, b } = optimReference().problem;
  for (const c of ref.optim.configs) {
    it(`${c.name} (${c.optimizer} ${JSON.stringify(c.options)}): ${ref.optim.steps} steps`, () => {
      const x = tensor(xs, { dtype: 'float64' });
      const [W1, W2] = W.map((w) => tensor(w, { dtype: 'float64', requiresGrad: true }));
      const [b1, b2] = b.map((v) => tensor(v, { dtype: 'float64', requiresGrad: true }));
      const loss = () => crossEntropy(matmul(tanh(matmul(x, W1).add(b1)), W2).add(b2), labels);
      const o = camel(c.options);
      const opt = c.optimizer === 'RMSprop' ? new optim.RMSprop([W1, b1, W2, b2], o) : new optim.Adagrad([W1, b1, W2, b2], o);
      let worst = 0;
      for (let step = 1; step <= ref.optim.steps; step++) {
        opt.zeroGrad();
        const l = loss();
        worst = Math.max(worst, relErr([l.item()], [c.losses[step - 1]]));
        l.backward();
        opt.step();
        const cp = c.checkpoints[String(step)];
        if (cp !== undefined) {
          worst = Math.max(worst, relErr(W1.data, cp.W[0].flat()), relErr(W2.data, cp.W[1].flat()), relErr(b1.data, cp.b[0]), relErr(b2.data, cp.b[1]));
        }
      }
      worst = Math.max(worst, relErr([noGrad(loss).item()], [c.finalLoss]));
      expect(worst, `max relative error ${worst.toExponential(2)}`).toBeLessThanOrEqual(TOL);
    });
  }
});

describe('safetensors files open on both sides', () => {
  const st = ref.safetensors;
  const x = t64(st.x);

  it("tapegrad → PyTorch: the committed file is what saveSafetensors writes now, and PyTorch's output on it is tapegrad's", () => {
    const model = tapegradModel();
    const bytes = saveSafetensors(model, { convention: 'torch', metadata: TAPEGRAD_METADATA });
    expect(Buffer.from(bytes).equals(Buffer.from(fixtureBytes(st.tapegradModel.file)))).toBe(true);
    expect(st.tapegradModel.metadata).toEqual(TAPEGRAD_METADATA);
    expect(st.tapegradModel.numBatchesTracked).toBe((model.layers[4] as nn.BatchNorm1d).numBatchesTracked);
    expectClose(noGrad(() => model.call(x)), st.tapegradModel.torchOutput, "PyTorch's output on tapegrad's file");
  });

  it('tapegrad → PyTorch: float32 and float64 tensors arrive with their dtypes and exact values', () => {
    const named = tapegradTensors();
    expect(Buffer.from(saveSafetensors(named, { metadata: TAPEGRAD_METADATA })).equals(Buffer.from(fixtureBytes(st.tapegradTensors.file)))).toBe(true);
    for (const [name, t] of Object.entries(named)) {
      const seen = st.tapegradTensors.tensors[name];
      expect(seen.dtype).toBe(t.dtype);
      expect(seen.shape).toEqual(t.shape);
      expect(seen.data).toEqual(Array.from(t.data));
    }
  });

  it('PyTorch → tapegrad: a torch state_dict file loads into the same model (torch convention) and gives PyTorch\'s output', () => {
    const model = new nn.Sequential(
      new nn.Linear(4, 6, { dtype: 'float64' }),
      new nn.LayerNorm(6, { dtype: 'float64' }),
      new nn.ReLU(),
      new nn.Linear(6, 5, { dtype: 'float64' }),
      new nn.BatchNorm1d(5, { dtype: 'float64' }),
      new nn.Tanh(),
      new nn.Linear(5, 3, { dtype: 'float64' }),
    );
    const result = loadSafetensors(model, fixtureBytes(st.torchModel.file), { convention: 'torch' });
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect((model.layers[4] as nn.BatchNorm1d).numBatchesTracked).toBe(st.torchModel.numBatchesTracked);
    expectClose(noGrad(() => model.eval().call(x)), st.torchModel.output, "tapegrad's output on PyTorch's file");
  });

  it('PyTorch → tapegrad: named F32/F64 tensors and metadata parse exactly', () => {
    const { tensors, metadata } = parseSafetensors(fixtureBytes(st.torchTensors.file));
    expect(metadata).toEqual({ producer: 'torch', purpose: 'fixture' });
    expect(Object.keys(tensors)).toEqual(Object.keys(st.torchTensors.tensors));
    for (const [name, want] of Object.entries(st.torchTensors.tensors)) {
      expect(tensors[name].dtype).toBe(want.dtype);
      expect(tensors[name].shape).toEqual(want.shape);
      expect(Array.from(tensors[name].data)).toEqual(want.data);
    }
  });
});
