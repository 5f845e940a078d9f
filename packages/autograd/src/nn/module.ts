// Module: the base of every layer. Parameters and submodules are found by walking the module's own fields in
// definition order — a leaf Tensor is saved by stateDict() and is a parameter when it requires grad, a Module is a
// submodule, and arrays of either are numbered — so a user-defined model needs no registration:
//
//   class Net extends Module { fc1 = new Linear(4, 8); fc2 = new Linear(8, 3);
//     forward(x: Tensor) { return this.fc2.call(this.fc1.call(x).relu()); } }
//   new Net().namedParameters()  // [['fc1.W', …], ['fc1.b', …], ['fc2.W', …], ['fc2.b', …]]

import { dropGrad } from '../tape/grad-field.ts';
import { nameTensor } from '../tape/versions.ts';
import { Tensor } from '../tensor.ts';
import type { LoadStateDictResult, StateDict } from '../state-dict.ts';
import { loadStateDict, stateDict } from '../state-dict.ts';

export abstract class Module {
  /** Training mode (see train()/eval()): Dropout and BatchNorm1d behave differently in eval mode; user modules may. */
  training = true;

  /** The layer's computation (one input for the built-in layers; a subclass may take several). */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Runs forward: `model.call(x)`, the counterpart of PyTorch's `model(x)`. */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /** [dotted name, submodule] for this module ('' first) and every module below it, depth first, each once. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [key, value] of m.children()) visit(value, join(name, key));
    };
    visit(this, prefix);
    return out;
  }

  /**
   * [dotted name, tensor] for every leaf tensor the modules hold — parameters, frozen parameters and constant
   * buffers alike: what stateDict() saves. Depth first, each module's own tensors before its submodules' (as in
   * PyTorch); a tensor shared by two layers appears once, under its first name. The tensors keep these names for
   * the errors about them (e.g. backward() after an optimizer step changed `layers.0.W`).
   */
  namedTensors(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [name, m] of this.namedModules(prefix)) {
      for (const [key, p] of m.ownTensors()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([join(name, key), p]);
        nameTensor(p, join(name, key));
      }
    }
    return out;
  }

  /** [dotted name, parameter] for every tensor that requires grad, e.g. `layers.0.W`, each once. */
  namedParameters(prefix = ''): [string, Tensor][] {
    return this.namedTensors(prefix).filter(([, p]) => p.requiresGrad);
  }

  /** Every parameter, in namedParameters() order: what an optimizer is given. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The total number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Clears every parameter's gradient: to null by default (as PyTorch ≥ 2.0 does; a gradient your code never read
   * hands its buffer to the next backward(), as in optim), or zero-filled in place.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const { setToNone = true } = options;
    for (const p of this.parameters()) {
      if (setToNone) dropGrad(p);
      else p.zeroGrad();
    }
  }

  /**
   * Calls `fn` on every submodule, then on this module (children first, as torch.nn.Module.apply does); returns
   * this. For initialisation: `model.apply((m) => { if (m instanceof Linear) init.xavierUniform(m.W); })`.
   */
  apply(fn: (module: Module) => void): this {
    const seen = new Set<Module>();
    const visit = (m: Module): void => {
      if (seen.has(m)) return;
      seen.add(m);
      for (const [, child] of m.children()) visit(child);
      fn(m);
    };
    visit(this);
    return this;
  }

  /** Sets training mode on this module and all below it; returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (train(false)); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** The parameters as a JSON-ready state dict (copies; see ../state-dict.ts). */
  stateDict(): StateDict {
    return stateDict(this);
  }

  /** Copies a state dict into the parameters in place (they stay the same tensors, so optimizers keep working). */
  loadStateDict(state: StateDict | string, options: { strict?: boolean } = {}): LoadStateDictResult {
    return loadStateDict(this, state, options);
  }

  /** [field name, submodule] for the direct children: Module fields and arrays of Modules (numbered). */
  protected children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (v instanceof Module) out.push([`${key}.${i}`, v]);
        });
      }
    }
    return out;
  }

  /** [field name, tensor] for this module's own leaf Tensor fields (and arrays of them, numbered). */
  protected ownTensors(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor) {
        if (value.isLeaf) out.push([key, value]);
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (v instanceof Tensor && v.isLeaf) out.push([`${key}.${i}`, v]);
        });
      }
    }
    return out;
  }
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}
