// Initialisers, filling a tensor in place (like torch.nn.init.*_) from a seeded generator: `options.rng`, or the
// default generator that manualSeed() reseeds. Weights follow the chapter's convention W: in × out, so
// fanIn = shape[0] and fanOut = shape[1] (PyTorch stores out × in; the fans mean the same).
//
//   xavierUniform:  U(−a, a),   a = gain·√(6 / (fanIn + fanOut))        (Glorot & Bengio 2010)
//   xavierNormal:   N(0, σ²),   σ = gain·√(2 / (fanIn + fanOut))
//   kaimingUniform: U(−a, a),   a = gain·√(3 / fan)                     (He et al. 2015; fan = fanIn by default)
//   kaimingNormal:  N(0, σ²),   σ = gain / √fan
//   gain: 1 for identity/sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + s²)) for leaky ReLU of slope s.

import type { Random } from '../kernels/index.ts';
import { formatValue, shapeStr } from '../kernels/index.ts';
import { defaultRandom } from '../creation.ts';
import { bumpVersion } from '../tape/versions.ts';
import type { Tensor } from '../tensor.ts';

export type Nonlinearity = 'identity' | 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu';

export interface InitOptions {
  /** The generator to draw from (default: the generator that manualSeed() reseeds). */
  rng?: Random;
}

export interface KaimingOptions extends InitOptions {
  /** The activation that follows, for the gain (default 'relu': He initialisation). */
  nonlinearity?: Nonlinearity;
  /** The negative slope of leaky ReLU (default 0.01; ignored otherwise). */
  slope?: number;
  /** Preserve the variance of the forward pass (fanIn, default) or of the backward pass (fanOut). */
  mode?: 'fanIn' | 'fanOut';
}

/** The recommended gain for an activation (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, slope = 0.01): number {
  switch (nonlinearity) {
    case 'identity':
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + slope * slope));
    default:
      throw new Error(`calculateGain: unknown nonlinearity ${formatValue(nonlinearity)}; expected identity, sigmoid, tanh, relu or leakyRelu`);
  }
}

/** [fanIn, fanOut] of a weight W: in × out. */
export function fans(op: string, w: Tensor): [number, number] {
  if (w.ndim !== 2) {
    throw new Error(`${op}: fans are defined for a 2-D weight W: in × out, got a tensor of shape ${shapeStr(w.shape)}`);
  }
  return [w.shape[0], w.shape[1]];
}

function fill(w: Tensor, draw: () => number): Tensor {
  const d = w.data;
  for (let i = 0; i < d.length; i++) d[i] = draw();
  bumpVersion(w);
  return w;
}

/** Fills `w` with U(low, high) draws; returns w. */
export function uniform(w: Tensor, low = 0, high = 1, options: InitOptions = {}): Tensor {
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new Error(`init.uniform: expected finite bounds with low ≤ high, got [${low}, ${high})`);
  }
  const rng = options.rng ?? defaultRandom();
  return fill(w, () => low + (high - low) * rng.uniform());
}

/** Fills `w` with N(mean, std²) draws; returns w. */
export function normal(w: Tensor, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new Error(`init.normal: expected a finite mean and a finite std ≥ 0, got mean ${mean}, std ${std}`);
  }
  const rng = options.rng ?? defaultRandom();
  return fill(w, () => mean + std * rng.normal());
}

/** Fills `w` with `value`; returns w. */
export function constant(w: Tensor, value: number): Tensor {
  w.data.fill(value);
  bumpVersion(w);
  return w;
}

/** Fills `w` with zeros; returns w. */
export function zeros(w: Tensor): Tensor {
  return constant(w, 0);
}

/** Glorot uniform: U(−a, a), a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(w: Tensor, options: InitOptions & { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = fans('init.xavierUniform', w);
  const a = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(w, -a, a, options);
}

/** Glorot normal: N(0, σ²), σ = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(w: Tensor, options: InitOptions & { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = fans('init.xavierNormal', w);
  return normal(w, 0, (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), options);
}

function kaimingGainAndFan(op: string, w: Tensor, options: KaimingOptions): [number, number] {
  const [fanIn, fanOut] = fans(op, w);
  const { nonlinearity = 'relu', slope = 0.01, mode = 'fanIn' } = options;
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new Error(`${op}: mode must be 'fanIn' or 'fanOut', got ${formatValue(mode)}`);
  return [calculateGain(nonlinearity, slope), mode === 'fanIn' ? fanIn : fanOut];
}

/** He uniform: U(−a, a), a = gain·√(3 / fan); for ReLU (the default here) a = √(6 / fanIn). */
export function kaimingUniform(w: Tensor, options: KaimingOptions = {}): Tensor {
  const [gain, fan] = kaimingGainAndFan('init.kaimingUniform', w, options);
  const a = gain * Math.sqrt(3 / fan);
  return uniform(w, -a, a, options);
}

/** He normal: N(0, σ²), σ = gain / √fan; for ReLU (the default here) σ = √(2 / fanIn). */
export function kaimingNormal(w: Tensor, options: KaimingOptions = {}): Tensor {
  const [gain, fan] = kaimingGainAndFan('init.kaimingNormal', w, options);
  return normal(w, 0, gain / Math.sqrt(fan), options);
}
