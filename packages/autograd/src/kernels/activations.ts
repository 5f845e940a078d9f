import type { FloatArray } from './dtype.ts';

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

function map(f: (z: number) => number) {
  return (z: FloatArray, out: FloatArray): FloatArray => {
    for (let i = 0; i < z.length; i++) out[i] = f(z[i]);
    return out;
  };
}

export const sigmoid: Activation = {
  name: 'sigmoid',
  f: map(sigmoidScalar),
  df: map((z) => {
    const s = sigmoidScalar(z);
    return s * (1 - s); // σ'(z) = σ(z)(1 − σ(z))
  }),
};

export const tanh: Activation = {
  name: 'tanh',
  f: map(Math.tanh),
  df: map((z) => {
    const t = Math.tanh(z);
    return 1 - t * t; // tanh'(z) = 1 − tanh² z
  }),
};

export const relu: Activation = {
  name: 'relu',
  f: map((z) => (z > 0 ? z : 0)),
  df: map((z) => (z > 0 ? 1 : 0)), // the value at exactly 0 is 0, as in PyTorch
};

/** Leaky ReLU with negative slope `s`: z if z > 0, else s·z. */
export function leakyReluWith(s: number): Activation {
  return {
    name: 'leakyRelu',
    f: map((z) => (z > 0 ? z : s * z)),
    df: map((z) => (z > 0 ? 1 : s)),
  };
}

export const leakyRelu: Activation = leakyReluWith(LEAKY_SLOPE);

export const identity: Activation = {
  name: 'identity',
  f: (z, out) => {
    out.set(z);
    return out;
  },
  df: (z, out) => out.fill(1),
};

const BY_NAME: Record<ActivationName, Activation> = { sigmoid, tanh, relu, leakyRelu, identity };

/** The activation called `name`, or an error listing the choices. */
export function activationByName(name: string, where = 'activation'): Activation {
  if (!Object.prototype.hasOwnProperty.call(BY_NAME, name)) {
    throw new Error(`${where}: unknown activation ${JSON.stringify(name)}; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  }
  return BY_NAME[name as ActivationName];
}
