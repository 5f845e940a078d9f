import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ManualMLP } from './mlp.ts';
import type { MLPParams, XInput, YInput } from './types.ts';

// Every kind of bad input throws an Error naming what was wrong and what was expected.

const net = () => new ManualMLP({ sizes: [2, 3, 3], activation: 'tanh', dtype: 'float64', seed: 1 });
const x2 = [
  [0.1, 0.2],
  [0.3, 0.4],
];

describe('constructor errors', () => {
  it.each([
    [{ sizes: [3], activation: 'relu' }, 'ManualMLP: sizes is [3]; expected at least [inputs, classes], e.g. [2, 2, 2, 3]'],
    [{ activation: 'relu' }, 'ManualMLP: sizes is undefined; expected at least [inputs, classes]'],
    [{ sizes: [3, 0, 2], activation: 'relu' }, 'ManualMLP: sizes[1] is 0 in [3, 0, 2]; expected positive integer layer widths'],
    [{ sizes: [3, 2.5, 2], activation: 'relu' }, 'ManualMLP: sizes[1] is 2.5 in [3, 2.5, 2]; expected positive integer layer widths'],
    [{ sizes: [3, '4', 2], activation: 'relu' }, 'ManualMLP: sizes[1] is "4" in [3, "4", 2]; expected positive integer layer widths'],
    [{ sizes: [3, Number.NaN, 2], activation: 'relu' }, 'ManualMLP: sizes[1] is NaN in [3, NaN, 2]; expected positive integer layer widths'],
    [{ sizes: '3,2', activation: 'relu' }, 'ManualMLP: sizes is "3,2"; expected at least [inputs, classes]'],
    [{ sizes: [3, 2], activation: 7 }, "ManualMLP: activation is 7; expected a name such as 'sigmoid'"],
    [{ sizes: [3, 2], activation: 'relu', seed: '1' }, 'ManualMLP: seed "1" is not an integer in [0, 4294967295]'],
    [{ sizes: [3, 4, 2], activation: 'swish' }, 'ManualMLP: unknown activation "swish"; expected one of sigmoid, tanh, relu, leakyRelu, identity'],
    [{ sizes: [3, 4, 4, 2], activation: ['relu', 'gelu'] }, 'ManualMLP: activation[1]: unknown activation "gelu"; expected one of sigmoid, tanh, relu, leakyRelu, identity'],
    [{ sizes: [3, 4, 4, 2], activation: ['relu'] }, 'ManualMLP: activation lists 1 name but sizes has 2 hidden layers; expected one name per hidden layer, or a single name for all'],
    [{ sizes: [3, 4, 2] }, 'ManualMLP: activation is undefined; expected a name such as'],
    [{ sizes: [3, 2], activation: 'relu', dtype: 'float16' }, `ManualMLP: unknown dtype "float16"; expected 'float32' or 'float64'`],
    [{ sizes: [3, 2], activation: 'relu', seed: Number.NaN }, 'ManualMLP: seed NaN is not an integer in [0, 4294967295]; expected a 32-bit unsigned integer seed'],
    [{ sizes: [3, 2], activation: 'relu', seed: 1.5 }, 'ManualMLP: seed 1.5 is not an integer in [0, 4294967295]'],
    [{ sizes: [3, 2], activation: 'relu', seed: -1 }, 'ManualMLP: seed -1 is not an integer in [0, 4294967295]'],
  ])('%j', (options, message) => {
    expect(() => new ManualMLP(options as never)).toThrow(message);
  });

  it('rejects options that are not an object', () => {
    expect(() => new ManualMLP(undefined as never)).toThrow('ManualMLP: expected options { sizes, activation, dtype?, seed?, params?, detectAnomaly? }');
  });
});

describe('sizes too large to allocate are refused at once, naming the layer, the shape and the bytes', () => {
  it('a layer longer than a typed array can be', () => {
    expect(() => new ManualMLP({ sizes: [1e10, 2], activation: 'relu' })).toThrow(
      /^ManualMLP: W¹ \(layer 1\) of shape \[10000000000, 2\] in float32 \(20000000000 elements, 80\.0 GB \(80000000000 bytes\)\) is larger than a typed array can be \(at most \d+ elements\)$/,
    );
    expect(() => new ManualMLP({ sizes: [3, 4, 3e9], activation: 'relu', dtype: 'float64' })).toThrow(
      /^ManualMLP: W² \(layer 2\) of shape \[4, 3000000000\] in float64 \(12000000000 elements, 96\.0 GB \(96000000000 bytes\)\) is larger than a typed array can be/,
    );
  });

  it('a network larger than the machine: every buffer counted (parameters, gradients, the next step, a batch of 1)', () => {
    // ten layers of 60000 × 60000 float64, each short enough for a typed array: 28.8 GB each, 864 GB in all
    expect(() => new ManualMLP({ sizes: Array(11).fill(60000), activation: 'relu', dtype: 'float64' })).toThrow(
      /^ManualMLP: W¹ \(layer 1\) of shape \[60000, 60000\] in float64 \(3600000000 elements, 28\.8 GB \(28800000000 bytes\)\) and \d+ more \(864\.\d GB \(864\d+ bytes\) in all\) needs more memory than this machine gives/,
    );
  });

  it("the issue's [1e9, 2] (28 GB to train in float32) fails at once on a machine with less memory", () => {
    const started = performance.now();
    let message = '';
    try {
      new ManualMLP({ sizes: [1e9, 2], activation: 'relu' });
    } catch (e) {
      message = (e as Error).message;
    }
    // where the machine has more than 28 GB the network is made (zero-filled pages cost nothing until written)
    if (totalmem() < 28e9) expect(message).toMatch(/^ManualMLP: W¹ \(layer 1\) of shape \[1000000000, 2\] in float32 \(2000000000 elements, 8\.0 GB \(8000000000 bytes\)\) and 9 more \(28\.0 GB/);
    if (message !== '') expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a batch whose buffers cannot be made, before any is allocated', () => {
    // 1e5 rows of one input (400 kB) through a hidden layer of 1e5: z¹ would hold 1e10 values
    const m = new ManualMLP({ sizes: [1, 100000, 2], activation: 'relu' });
    expect(() => m.forward({ data: new Float32Array(100000), shape: [100000, 1] })).toThrow(
      /^ManualMLP\.forward: z¹ \(layer 1, a batch of 100000\) of shape \[100000, 100000\] in float32 \(10000000000 elements, 40\.0 GB \(40000000000 bytes\)\) is larger than a typed array can be/,
    );
    expect(m.forward([[1]]).shape).toEqual([1, 2]);
  });
});

describe('parameter errors (constructor params and setParams)', () => {
  const good = (): { W: number[][][]; b: number[][] } => net().getParams();
  it.each<[string, (p: { W: number[][][]; b: number[][] }) => unknown, string]>([
    ['too few layers', (p) => ({ W: p.W.slice(1), b: p.b }), 'ManualMLP.setParams: params.W has 1 layer but sizes [2, 3, 3] has 2 layers; expected one per layer'],
    ['too many biases', (p) => ({ W: p.W, b: [...p.b, [0]] }), 'ManualMLP.setParams: params.b has 3 layers but sizes [2, 3, 3] has 2 layers; expected one per layer'],
    ['W transposed', (p) => ({ W: [[[1, 2], [3, 4], [5, 6]], p.W[1]], b: p.b }), 'ManualMLP.setParams: W[0] (layer 1) has shape [3, 2]; expected [2, 3] (sizes[0] × sizes[1])'],
    ['a short row', (p) => ({ W: [p.W[0], [p.W[1][0], [1, 2], p.W[1][2]]], b: p.b }), 'ManualMLP.setParams: W[1] (layer 2) row 1 has 2 columns; expected [3, 3] (sizes[1] × sizes[2])'],
    ['a bias of the wrong width', (p) => ({ W: p.W, b: [p.b[0], [0, 0]] }), 'ManualMLP.setParams: b[1] (layer 2) has 2 values; expected 3 (sizes[2])'],
    ['NaN in W', (p) => ({ W: [p.W[0], [p.W[1][0], [0, Number.NaN, 0], p.W[1][2]]], b: p.b }), 'ManualMLP.setParams: W[1][1][1] (layer 2) is NaN; expected finite numbers'],
    ['a string in b', (p) => ({ W: p.W, b: [[0, '1', 0], p.b[1]] }), 'ManualMLP.setParams: b[0][1] (layer 1) is "1"; expected finite numbers'],
    ['not nested arrays', () => ({ W: 1, b: [] }), 'ManualMLP.setParams: params must be { W: number[][][], b: number[][] }'],
  ])('%s', (_, edit, message) => {
    const m = net();
    const before = m.getParams();
    expect(() => m.setParams(edit(good()) as MLPParams)).toThrow(message);
    expect(m.getParams()).toEqual(before);
  });

  it('names the constructor when the params option is wrong', () => {
    expect(() => new ManualMLP({ sizes: [2, 3], activation: 'relu', params: { W: [[[1, 2, 3]]], b: [[0, 0, 0]] } })).toThrow(
      'ManualMLP: params: W[0] (layer 1) has shape [1, 3]; expected [2, 3] (sizes[0] × sizes[1])',
    );
  });

  it('rejects values that overflow float32', () => {
    const p = good();
    p.W[0][0][0] = 1e39;
    expect(() => new ManualMLP({ sizes: [2, 3, 3], activation: 'tanh', dtype: 'float32', params: p })).toThrow(
      'ManualMLP: params: W[0][0][0] (layer 1) is 1e+39, which overflows float32; expected finite float32 values',
    );
  });
});

describe('x errors', () => {
  it('names the width it expected', () => {
    const m = new ManualMLP({ sizes: [784, 10], activation: 'relu' });
    expect(() => m.forward([[1, 2, 3, 4, 5]])).toThrow('ManualMLP.forward: x has 5 columns but sizes[0] is 784; expected rows of width 784');
  });

  it.each<[string, XInput, string]>([
    ['wrong width', [[1, 2, 3]], 'ManualMLP.forward: x has 3 columns but sizes[0] is 2; expected rows of width 2'],
    ['a ragged row', [[1, 2], [3, 4, 5]], 'ManualMLP.forward: x row 1 has 3 columns but sizes[0] is 2; expected rows of width 2'],
    ['NaN', [[1, 2], [Number.NaN, 4]], 'ManualMLP.forward: x[1][0] is NaN; expected finite numbers'],
    ['Infinity', [[1, Number.POSITIVE_INFINITY]], 'ManualMLP.forward: x[0][1] is Infinity; expected finite numbers'],
    ['NaN in a single sample', [0.5, Number.NaN], 'ManualMLP.forward: x[0][1] is NaN; expected finite numbers'],
    ['NaN in a typed batch', { data: Float64Array.of(1, 2, 3, Number.NaN), shape: [2, 2] }, 'ManualMLP.forward: x[1][1] is NaN; expected finite numbers'],
    ['a string', [['1', 2]] as never, 'ManualMLP.forward: x[0][0] is "1"; expected finite numbers'],
    ['no rows', [], 'ManualMLP.forward: x is empty; expected at least one sample of width 2'],
    ['a flat batch without shape', Float64Array.of(1, 2, 3, 4), 'ManualMLP.forward: x is a flat row of 4 values but sizes[0] is 2; expected one sample of width 2, or nested rows / { data, shape: [N, 2] } for a batch'],
    ['shape of the wrong width', { data: new Float64Array(6), shape: [2, 3] }, 'ManualMLP.forward: x has 3 columns but sizes[0] is 2; expected rows of width 2'],
    ['data and shape disagree', { data: new Float64Array(5), shape: [3, 2] }, 'ManualMLP.forward: x.data has 5 values but x.shape [3, 2] needs 6'],
    ['a 3-d shape', { data: new Float64Array(8), shape: [2, 2, 2] }, 'ManualMLP.forward: x.shape is [2, 2, 2]; expected [N, 2] or [2]'],
    ['zero rows in shape', { data: new Float64Array(0), shape: [0, 2] }, 'ManualMLP.forward: x.shape [0, 2] has 0 rows; expected at least one sample'],
    ['not an array', 'abc' as never, 'ManualMLP.forward: x is "abc"; expected nested rows, one flat row, or { data, shape: [N, 2] }'],
  ])('%s', (_, x, message) => {
    expect(() => net().forward(x)).toThrow(message);
  });

  it('rejects values that overflow float32', () => {
    const m = new ManualMLP({ sizes: [2, 3], activation: 'relu', dtype: 'float32' });
    expect(() => m.forward([[1e39, 0]])).toThrow('ManualMLP.forward: x[0][0] is 1e+39, which overflows float32; expected finite numbers');
    // a typed batch is copied in bulk, then scanned: the same message, at the same place
    const typed = { data: Float64Array.of(0, 1, 2, -1e39), shape: [2, 2] };
    expect(() => m.forward(typed)).toThrow('ManualMLP.forward: x[1][1] is -1e+39, which overflows float32; expected finite numbers');
  });

  it('names the method that was called', () => {
    const m = net();
    expect(() => m.lossAndGrads([[1]], [0])).toThrow('ManualMLP.lossAndGrads: x has 1 column but sizes[0] is 2');
    expect(() => m.sgdStep([[1]], [0], 0.1)).toThrow('ManualMLP.sgdStep: x has 1 column but sizes[0] is 2');
    expect(() => m.trace([[1]], [0])).toThrow('ManualMLP.trace: x has 1 column but sizes[0] is 2');
  });
});

describe('y errors', () => {
  it.each<[string, YInput, string]>([
    ['a label out of range', [0, 3], 'ManualMLP.lossAndGrads: label 3 at row 1 is not a class index; expected an integer in [0, 2]'],
    ['a negative label', [-1, 0], 'ManualMLP.lossAndGrads: label -1 at row 0 is not a class index; expected an integer in [0, 2]'],
    ['a fractional label', [0, 1.5], 'ManualMLP.lossAndGrads: label 1.5 at row 1 is not a class index; expected an integer in [0, 2]'],
    ['a NaN label', Float64Array.of(0, Number.NaN), 'ManualMLP.lossAndGrads: label NaN at row 1 is not a class index; expected an integer in [0, 2]'],
    ['too few labels', [0], 'ManualMLP.lossAndGrads: y has 1 target but x has 2 rows; expected one class index or one-hot row per sample'],
    ['too many labels', [0, 1, 2], 'ManualMLP.lossAndGrads: y has 3 targets but x has 2 rows; expected one class index or one-hot row per sample'],
    ['a single index for a batch', 1, 'ManualMLP.lossAndGrads: y has 1 target but x has 2 rows'],
    ['a soft row', [[1, 0, 0], [0.2, 0.8, 0]], 'ManualMLP.lossAndGrads: y row 1 is not one-hot: [0.2, 0.8, 0]; expected a single 1 and 0 elsewhere (pass { probabilities: rows } for soft targets)'],
    ['two ones', [[1, 1, 0], [0, 0, 1]], 'ManualMLP.lossAndGrads: y row 0 is not one-hot: [1, 1, 0]; expected a single 1 and 0 elsewhere'],
    ['no one', [[0, 0, 0], [0, 0, 1]], 'ManualMLP.lossAndGrads: y row 0 is not one-hot: [0, 0, 0]; expected a single 1 and 0 elsewhere'],
    ['NaN in a one-hot row', [[0, Number.NaN, 1], [0, 0, 1]], 'ManualMLP.lossAndGrads: y row 0 is not one-hot: [0, NaN, 1]'],
    ['a one-hot row of the wrong width', [[0, 1], [1, 0]], 'ManualMLP.lossAndGrads: y row 0 has 2 columns but there are 3 classes; expected rows of width 3, one column per class'],
    ['one-hot rows with a wrong shape', { data: new Float64Array(4), shape: [2, 2] }, 'ManualMLP.lossAndGrads: y.shape is [2, 2]; expected [2, 3]'],
    ['one-hot rows for another batch', { data: new Float64Array(9), shape: [3, 3] }, 'ManualMLP.lossAndGrads: y has 3 targets but x has 2 rows'],
    ['one-hot data shorter than its shape', { data: Float64Array.of(1, 0, 0), shape: [2, 3] }, 'ManualMLP.lossAndGrads: y.data has 3 values but y.shape [2, 3] needs 6 values'],
    ['a 3-d y shape', { data: new Float64Array(12), shape: [2, 3, 2] }, 'ManualMLP.lossAndGrads: y.shape is [2, 3, 2]; expected [2] for class indices or [2, 3] for one-hot rows'],
    ['probabilities that do not sum to 1', { probabilities: [[0.5, 0.25, 0.125], [0, 0, 1]] }, 'ManualMLP.lossAndGrads: y.probabilities row 0 sums to 0.875; expected probability rows that sum to 1'],
    ['a negative probability', { probabilities: [[1.5, -0.5, 0], [0, 0, 1]] }, 'ManualMLP.lossAndGrads: y.probabilities[0][0] is 1.5; expected probabilities in [0, 1]'],
    ['probabilities of the wrong width', { probabilities: [[1], [1]] }, 'ManualMLP.lossAndGrads: y.probabilities row 0 has 1 column but there are 3 classes'],
    ['probability rows missing', { probabilities: [[1, 0, 0]] }, 'ManualMLP.lossAndGrads: y.probabilities has 1 row but x has 2; expected one target row per sample'],
    ['not targets at all', { labels: [0, 1] } as never, 'ManualMLP.lossAndGrads: y is { labels: [0, 1] }; expected class indices, one-hot rows, or { probabilities: rows }'],
    ['labels given as strings', ['0', '1'] as never, 'ManualMLP.lossAndGrads: label "0" at row 0 is not a class index; expected an integer in [0, 2]'],
    ['a NaN label in a plain list', [0, Number.NaN], 'ManualMLP.lossAndGrads: label NaN at row 1 is not a class index; expected an integer in [0, 2]'],
    ['a label of null', [0, null] as never, 'ManualMLP.lossAndGrads: label null at row 1 is not a class index; expected an integer in [0, 2]'],
  ])('%s', (_, y, message) => {
    expect(() => net().lossAndGrads(x2, y)).toThrow(message);
  });
});

describe('call-order and option errors', () => {
  it('backward needs a forward pass with the current parameters', () => {
    const m = net();
    expect(() => m.backward([0, 1])).toThrow('ManualMLP.backward: no forward pass to differentiate; call forward(x) first');
    m.forward(x2);
    m.sgdStep(x2, [0, 1], 0.1);
    expect(() => m.backward([0, 1])).toThrow('call forward(x) first (parameter updates discard it)');
    m.forward(x2);
    m.setParams(m.getParams());
    expect(() => m.backward([0, 1])).toThrow('call forward(x) first');
  });

  it('backward needs one target per row of the last forward pass', () => {
    const m = net();
    m.forward(x2);
    expect(() => m.backward([0, 1, 2])).toThrow('ManualMLP.backward: y has 3 targets but x has 2 rows');
  });

  it('a failed call leaves no stale forward pass behind', () => {
    const m = net();
    m.forward(x2);
    expect(() => m.forward([[0, Number.NaN]])).toThrow('x[0][1] is NaN');
    expect(() => m.backward([0])).toThrow('call forward(x) first');
  });

  it.each<[unknown, string]>([
    [0, '0'],
    [-0.1, '-0.1'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['0.1', '"0.1"'],
    [undefined, 'undefined'],
  ])('sgdStep rejects the learning rate %s', (lr, shown) => {
    expect(() => net().sgdStep(x2, [0, 1], lr as number)).toThrow(`ManualMLP.sgdStep: learning rate is ${shown}; expected a finite number > 0`);
  });
});
