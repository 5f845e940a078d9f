// A TypeScript program using the installed packages' declarations, type-checked (never run) by the consumer test
// under strict settings a user may have: strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, and the
// packages' own .d.ts checked too (skipLibCheck off), with moduleResolution node16 and bundler.
import type { InitializedKernels, Tensor } from '@tapegrad/autograd';
import { crossEntropy, gradcheck, initKernels, manualSeed, nn, noGrad, optim, randn, tensor } from '@tapegrad/autograd';
import type { DType, FloatArray } from '@tapegrad/autograd/kernels';
import { getBackend, matmul, Random } from '@tapegrad/autograd/kernels';
import type { LossAndGradients, MLPParams } from '@tapegrad/manual';
import { chapterExample, formatTrace, ManualMLP } from '@tapegrad/manual';
import type { Engine, EqualityReport } from '@tapegrad/bench';
import { autogradEngine, chapterDataset, compareSymbols, lockstep, makeBatches, manualEngine } from '@tapegrad/bench';

const dtype: DType = 'float64';
// the browser's start of the kernels, typed without the DOM lib: a folder, or the files by name
const started: Promise<InitializedKernels> = initKernels({ wasm: '/tapegrad-wasm/', threads: 2 });
const fromBytes: Promise<InitializedKernels> = initKernels({ wasm: { 'kernels-local.wasm': new Uint8Array(8) } });
manualSeed(0);
const x = tensor([[0.05, 0.1], [0.9, -0.4]], { dtype });
const W: Tensor = randn([2, 3], { dtype, requiresGrad: true });
const b = tensor([0, 0, 0], { dtype, requiresGrad: true });
const loss = crossEntropy(x.matmul(W).add(b), [2, 0]);
loss.backward();
const dW: FloatArray | undefined = W.grad?.data;
const first: number | undefined = dW?.[0];

const model = nn.MLP([2, 8, 3], 'relu');
const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
opt.zeroGrad();
crossEntropy(model.call(x), [2, 0]).backward();
opt.step();
const ok: boolean = gradcheck((w: Tensor) => w.mul(w).sum(), [W]).ok;
const probs = noGrad(() => x.matmul(W).softmax(1));

const out = matmul(new Float32Array(4), new Float32Array(4), new Float32Array(4), 2, 2, 2);
const u: number = new Random(1).uniform();

const params: MLPParams = chapterExample.params;
const net = new ManualMLP({ sizes: chapterExample.sizes, activation: 'sigmoid', dtype, params });
const grads: LossAndGradients = net.lossAndGrads(chapterExample.batch.x, chapterExample.batch.y);
const trace: string = formatTrace(net.trace(chapterExample.sample.x, chapterExample.sample.y));

const spec = { sizes: [2, 2, 2, 3], activation: 'sigmoid' } as const;
const engines: Engine[] = [autogradEngine(spec, dtype), manualEngine(spec, dtype)];
const batches = makeBatches(chapterDataset(), 3, 1, 0);
const report: EqualityReport | undefined = batches[0] && engines[0] && engines[1]
  ? compareSymbols({ name: 'autograd', symbols: engines[0].symbols(batches[0]) }, { name: 'manual', symbols: engines[1].symbols(batches[0]) }, dtype)
  : undefined;
const run = engines[0] && engines[1] ? lockstep(engines[0], engines[1], autogradEngine(spec, dtype), batches, dtype, { steps: 2, lr: 0.5 }) : undefined;

export const results = { started, fromBytes, first, ok, probs, out, u, grads, trace, report, run, backend: getBackend() };
