// Activations as modules, for Sequential: each is the op of the same name, applied element by element
// (Softmax/LogSoftmax along an axis).

import type { ActivationName } from '../kernels/index.ts';
import { ACTIVATION_NAMES, formatValue } from '../kernels/index.ts';
import { leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from '../ops/index.ts';
import type { Tensor } from '../tensor.ts';
import { Module } from './module.ts';

/** max(0, x) */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** x if x > 0, else slope·x (slope 0.01 by default, as in PyTorch) */
export class LeakyReLU extends Module {
  constructor(readonly slope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.slope);
  }
}

/** 1 / (1 + e^{−x}) */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh x */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** x */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** e^{x_i} / Σ_j e^{x_j} along `axis` (default the last) */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}

/** x_i − log Σ_j e^{x_j} along `axis` (default the last) */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }
}


const MODULES: Record<ActivationName, () => Module> = {
  relu: () => new ReLU(),
  leakyRelu: () => new LeakyReLU(),
  sigmoid: () => new Sigmoid(),
  tanh: () => new Tanh(),
  identity: () => new Identity(),
};

/** A fresh activation module by name (the names the kernels and the manual engine use). */
export function activation(name: ActivationName): Module {
  if (!Object.prototype.hasOwnProperty.call(MODULES, name)) {
    throw new Error(`activation: unknown name ${formatValue(name)}; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  }
  return MODULES[name]();
}
