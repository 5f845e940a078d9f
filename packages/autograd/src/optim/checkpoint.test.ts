// Checkpointing: train k steps, save the model, the optimizer, the scheduler and the generators through JSON, load
// them into fresh objects, continue, and compare bit for bit with a run that was never interrupted.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../index.ts';
import { crossEntropy, DataLoader, mul, nn, optim, Random, randn, sum, tensor } from '../index.ts';

type MakeOptimizer = (params: Tensor[]) => optim.Optimizer<{ lr: number }>;
const OPTIMIZERS: [string, MakeOptimizer][] = [
  ['SGD momentum nesterov', (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam amsgrad', (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true })],
  ['AdamW', (p) => new optim.AdamW(p, { lr: 0.01 })],
  ['RMSprop centered momentum', (p) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ['Adagrad', (p) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
];

/** Everything a run owns; `seed` fixes the initial weights and both generators. */
function setUp(make: MakeOptimizer, dtype: 'float32' | 'float64') {
  const rng = new Random(1);
  const dropoutRng = new Random(2);
  const model = new nn.Sequential(
    new nn.Linear(4, 8, { rng, dtype }),
    new nn.BatchNorm1d(8, { dtype }),
    new nn.ReLU(),
    new nn.Dropout(0.3, { rng: dropoutRng }),
    new nn.Linear(8, 3, { rng, dtype }),
  );
  const opt = make(model.parameters());
  const scheduler = new optim.lrScheduler.OneCycleLR(opt, { maxLr: opt.paramGroups[0].lr, totalSteps: 40, cycleMomentum: !(opt instanceof optim.Adagrad) });
  const dataRng = new Random(3);
  const x = randn([30, 4], { dtype, rng: new Random(4) });
  const y = Int32Array.from({ length: 30 }, (_, i) => i % 3);
  const loader = new DataLoader([x, y], { batchSize: 8, shuffle: true, rng: dataRng, dropLast: true });
  return { model, opt, scheduler, loader, dataRng, dropoutRng };
}

type Run = ReturnType<typeof setUp>;
function train(run: Run, epochs: number): void {
  for (let e = 0; e < epochs; e++) {
    for (const [x, y] of run.loader) {
      run.opt.zeroGrad();
      crossEntropy(run.model.call(x), y).backward();
      nn.utils.clipGradNorm(run.model.parameters(), 1);
      run.opt.step();
      run.scheduler.step();
    }
  }
}

function checkpoint(run: Run): string {
  return JSON.stringify({
    model: run.model.stateDict(),
    optimizer: run.opt.stateDict(),
    scheduler: run.scheduler.stateDict(),
    data: run.dataRng.getState(),
    dropout: run.dropoutRng.getState(),
  });
}

describe('optimizer stateDict: training resumes bit for bit after save and load (through JSON)', () => {
  for (const [name, make] of OPTIMIZERS) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${name} (${dtype}), with BatchNorm, Dropout, OneCycleLR, clipping and a shuffling DataLoader`, () => {
        const straight = setUp(make, dtype);
        train(straight, 6);

        const first = setUp(make, dtype);
        train(first, 3);
        const saved = JSON.parse(checkpoint(first)) as Record<string, never>;
        const resumed = setUp(make, dtype); // fresh objects: constructing the scheduler moved the lr, loading puts it back
        resumed.model.loadStateDict(saved.model);
        resumed.opt.loadStateDict(saved.optimizer);
        resumed.scheduler.loadStateDict(saved.scheduler);
        resumed.dataRng.setState(saved.data);
        resumed.dropoutRng.setState(saved.dropout);
        train(resumed, 3);

        expect(checkpoint(resumed)).toBe(checkpoint(straight));
        expect(resumed.model.parameters().map((p) => Array.from(p.data))).toEqual(straight.model.parameters().map((p) => Array.from(p.data)));
      });
    }
  }
});

describe('optimizer stateDict format and errors', () => {
  const setGrad = (p: Tensor, g: number[]) => sum(mul(p, tensor(g, { dtype: p.dtype }))).backward();

  it('saves group options and per-parameter state by position; parameters never stepped have none', () => {
    const [a, b] = [tensor([1, 2], { dtype: 'float64', requiresGrad: true }), tensor([3], { dtype: 'float64', requiresGrad: true })];
    const opt = new optim.Adam([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    setGrad(a, [1, -1]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.optimizer).toBe('Adam');
    expect(sd.paramGroups.map((g) => [g.params, g.options.lr])).toEqual([[[0], 0.1], [[1], 0.5]]);
    expect(Object.keys(sd.state)).toEqual(['0']);
    expect(sd.state['0'].step).toBe(1);
    expect(sd.state['0'].expAvg).toEqual({ dtype: 'float64', data: [(1 - 0.9) * 1, (1 - 0.9) * -1] }); // m = (1 − β₁) g
  });

  it('refuses a state dict of another optimizer, another parameter layout, or wrong buffer sizes, and changes nothing', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const adam = new optim.Adam([p], { lr: 0.1 });
    setGrad(p, [1, 1]);
    adam.step();
    const sd = adam.stateDict();
    expect(() => new optim.SGD([p], { lr: 0.1 }).loadStateDict(sd)).toThrow('SGD.loadStateDict: the state dict is of a Adam optimizer; expected SGD');
    expect(() => new optim.Adam([p, tensor([1], { requiresGrad: true })]).loadStateDict(sd)).toThrow(
      'Adam.loadStateDict: group 0 has 1 parameters in the state dict but 2 in the optimizer',
    );
    const q = tensor([1, 2, 3], { requiresGrad: true });
    const other = new optim.Adam([q], { lr: 0.3 });
    expect(() => other.loadStateDict(sd)).toThrow('Adam.loadStateDict: parameter 0 [3] has a "expAvg" buffer of 2 values; expected 3');
    expect(other.paramGroups[0].lr).toBe(0.3);
    expect(() => other.loadStateDict('{"format": 1')).toThrow(/Adam.loadStateDict: the text is not valid JSON/);
    const bad = { ...sd, paramGroups: [{ ...sd.paramGroups[0], options: { ...sd.paramGroups[0].options, lr: -1 } }] };
    expect(() => adam.loadStateDict(bad)).toThrow('Adam: invalid lr -1; expected a finite number ≥ 0');
  });
});
