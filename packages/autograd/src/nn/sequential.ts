// Sequential: modules applied in order, out = m_k(… m_2(m_1(x))). Its parameters are named after their position,
// `layers.0.W`, `layers.0.b`, `layers.2.W`, … (activations hold none but keep their index).

import type { Tensor } from '../tensor.ts';
import { Module } from './module.ts';

export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module (got ${m === null ? 'null' : typeof m})`);
    });
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let a = x;
    for (const layer of this.layers) a = layer.forward(a);
    return a;
  }

  /** Appends a module; returns this. */
  append(layer: Module): this {
    if (!(layer instanceof Module)) throw new Error(`Sequential.append: expected a Module, got ${layer === null ? 'null' : typeof layer}`);
    this.layers.push(layer);
    return this;
  }

  get length(): number {
    return this.layers.length;
  }
}
