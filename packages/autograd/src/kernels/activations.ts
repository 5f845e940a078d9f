import type { FloatArray } from './dtype.ts';
import { formatValue } from './format.ts';
import { kernels } from './table.ts';

/**
 * An activation applied element by element, with its derivative written as a function of z, exactly as the
 * chapter uses it: a = act(z), δ = (…) ⊙ act'(z).
 */
export interface Activation {
  readonly name: ActivationName;
  /** out = act(z) */
  readonly f: (z: FloatArray, out: FloatArray) => FloatArray;
  /** out = act'(z) */
  readonly df: (z: FloatArray, out: FloatArray) => FloatArray;
  /**
   * out = g ⊙ act'(z), from z or from a = act(z), whichever the derivative is written in: the one kernel that both
   * autograd's rules (sigmoidGrad, tanhGrad, stepGrad, linear's fused activation) and the manual engine's
   * δ^l = δ^{l+1} (W^{l+1})ᵀ ⊙ act'(z^l) call, so that both round the same products in the same order.
   */
  readonly backward: (g: FloatArray, z: FloatArray, a: FloatArray, out: FloatArray) => FloatArray;
}

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'identity';

export const ACTIVATION_NAMES: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'identity'];

/** The default negative slope of leaky ReLU, as in PyTorch. */
export const LEAKY_SLOPE = 0.01;

/** σ(z) = 1 / (1 + e^{−z}), written so that neither branch overflows. */
export function sigmoidScalar(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

// Every loop is written out (no shared map-with-callback), so V8 compiles each one for its own formula.

export const sigmoid: Activation = {
  name: 'sigmoid',
  f: (z, out) => {
    for (let i = 0; i < z.length; i++) {
      const v = z[i];
      if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
      else {
        const e = Math.exp(v);
        out[i] = e / (1 + e);
      }
    }
    return out;
  },
  df: (z, out) => {
    for (let i = 0; i < z.length; i++) {
      const s = sigmoidScalar(z[i]);
      out[i] = s * (1 - s); // σ'(z) = σ(z)(1 − σ(z))
    }
    return out;
  },
  backward: (g, _z, a, out) => sigmoidGradFromOutput(g, a, out),
};

export const tanh: Activation = {
  name: 'tanh',
  f: (z, out) => {
    for (let i = 0; i < z.length; i++) out[i] = Math.tanh(z[i]);
    return out;
  },
  df: (z, out) => {
    for (let i = 0; i < z.length; i++) {
      const t = Math.tanh(z[i]);
      out[i] = 1 - t * t; // tanh'(z) = 1 − tanh² z
    }
    return out;
  },
  backward: (g, _z, a, out) => tanhGradFromOutput(g, a, out),
};

// The rectifiers compute z > 0 ? … : … without a branch (see reference.ts, where ReLU's loops are): every value,
// -0, NaN and ±∞ included, is the same as the ternary's.

/** ReLU: its value and derivative are rows of the kernel table (table.ts), large buffers in the wasm module. */
export const relu: Activation = { name: 'relu', f: kernels.relu, df: kernels.reluGrad, backward: (g, z, _a, out) => kernels.stepGrad(g, z, 0, out) };

/** Leaky ReLU with negative slope `s`: z if z > 0, else s·z. */
export function leakyReluWith(s: number): Activation {
  if (Object.is(s, -0)) {
    // m + (1 − m)·s below would turn a slope of −0 into +0: the plain ternaries
    return {
      name: 'leakyRelu',
      f: (z, out) => {
        for (let i = 0; i < z.length; i++) out[i] = z[i] > 0 ? z[i] : s * z[i];
        return out;
      },
      df: (z, out) => {
        for (let i = 0; i < z.length; i++) out[i] = z[i] > 0 ? 1 : s;
        return out;
      },
      backward: (g, z, _a, out) => kernels.stepGrad(g, z, s, out),
    };
  }
  return {
    name: 'leakyRelu',
    // z > 0 ? z : s·z, as z·(m + (1 − m)·s) with m = +(z > 0): z·1 or z·s exactly (see reluRef)
    f: (z, out) => {
      for (let i = 0; i < z.length; i++) {
        const m = +(z[i] > 0);
        out[i] = z[i] * (m + (1 - m) * s);
      }
      return out;
    },
    df: (z, out) => {
      for (let i = 0; i < z.length; i++) {
        const m = +(z[i] > 0);
        out[i] = m + (1 - m) * s;
      }
      return out;
    },
    backward: (g, z, _a, out) => kernels.stepGrad(g, z, s, out),
  };
}

export const leakyRelu: Activation = leakyReluWith(LEAKY_SLOPE);

export const identity: Activation = {
  name: 'identity',
  f: (z, out) => {
    if (out !== z) out.set(z);
    return out;
  },
  df: (_z, out) => out.fill(1),
  backward: (g, _z, _a, out) => {
    if (out !== g) out.set(g);
    return out;
  },
};

const BY_NAME: Record<ActivationName, Activation> = { sigmoid, tanh, relu, leakyRelu, identity };

/**
 * The activations whose derivative can be written from their output alone (relu'(z) = [a > 0], σ' = a(1 − a),
 * tanh' = 1 − a²), so a layer can apply them in the same step as its product: matmulBiasAct, and linear's activation.
 */
export type FusedActivation = 'relu' | 'sigmoid' | 'tanh';

const FUSED_ACTIVATIONS: readonly string[] = ['relu', 'sigmoid', 'tanh'] satisfies FusedActivation[];

/** Whether `name` is one of the FusedActivation names. */
export function isFusedActivation(name: unknown): name is FusedActivation {
  return typeof name === 'string' && FUSED_ACTIVATIONS.includes(name);
}

/** The activation called `name`, or an error listing the choices. */
export function activationByName(name: string, where = 'activation'): Activation {
  if (!Object.prototype.hasOwnProperty.call(BY_NAME, name)) {
    throw new Error(`${where}: unknown activation ${formatValue(name)}; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  }
  return BY_NAME[name as ActivationName];
}

// Fused backward kernels for the tape: each computes g ⊙ act'(·) in one pass, from what the forward kept.

/** out = g ⊙ s(1 − s), σ'(z) from the sigmoid's output s */
export function sigmoidGradFromOutput(g: FloatArray, s: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < g.length; i++) out[i] = g[i] * s[i] * (1 - s[i]);
  return out;
}

/** out = g ⊙ (1 − t²), tanh'(z) from tanh's output t */
export function tanhGradFromOutput(g: FloatArray, t: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < g.length; i++) out[i] = g[i] * (1 - t[i] * t[i]);
  return out;
}

/** out = g ⊙ (1 if z > 0 else slope): (leaky) ReLU's derivative applied to g; slope 0 is ReLU's (a row of table.ts) */
export const stepGrad = kernels.stepGrad;
