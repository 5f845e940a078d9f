// Activations as modules, for Sequential: each is the op of the same name, applied element by element
// (Softmax/LogSoftmax along an axis).

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

/** The names MLP() and activation() accept. */
export type ActivationName = 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'identity';

/** A fresh activation module by name. */
export function activation(name: ActivationName): Module {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'leakyRelu':
      return new LeakyReLU();
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    case 'identity':
      return new Identity();
    default:
      throw new Error(`activation: unknown name ${JSON.stringify(name)}; expected relu, leakyRelu, sigmoid, tanh or identity`);
  }
}
