// The same packages from a CommonJS TypeScript file, as `require` (module node20: TypeScript's model of Node's
// require(esm)).
import autograd = require('@tapegrad/autograd');
import kernels = require('@tapegrad/autograd/kernels');
import manual = require('@tapegrad/manual');

const x: autograd.Tensor = autograd.tensor([[0.05, 0.1]], { dtype: 'float64' });
const backend: kernels.KernelBackend = kernels.getBackend();
const net = new manual.ManualMLP({ sizes: [2, 2, 2, 3], activation: 'sigmoid', dtype: 'float64', seed: 1 });
const loss: number = net.lossAndGrads([[0.05, 0.1]], [2]).loss;

export = { x, backend, loss };
