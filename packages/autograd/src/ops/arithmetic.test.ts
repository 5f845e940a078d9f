import { describe, expect, it } from 'vitest';
import type { Shape } from '../kernels/index.ts';
import { tensor } from '../creation.ts';
import { checkGrads } from '../testing/check-grads.ts';
import { add, div, exp, log, mul, neg, pow, sqrt, sub } from './index.ts';

// Broadcast variants every binary op is checked on (both dtypes, every input's gradient).
const PAIRS: [Shape, Shape][] = [
  [[3, 4], [3, 4]],
  [[3, 4], [4]],
  [[4], [3, 4]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [3, 1]],
  [[2, 1, 4], [3, 1]],
  [[], [2, 3]],
  [[2, 3], []],
  [[], []],
];

const BINARY = { add, sub, mul, div, pow } as const;
// divisors away from 0; pow's base positive (its exponent gradient uses ln a)
const DOMAIN: Record<keyof typeof BINARY, [[number, number], [number, number]]> = {
  add: [[-2, 2], [-2, 2]],
  sub: [[-2, 2], [-2, 2]],
  mul: [[-2, 2], [-2, 2]],
  div: [[-2, 2], [0.5, 2]],
  pow: [[0.3, 2.5], [-2, 2]],
};

describe.each(Object.keys(BINARY) as (keyof typeof BINARY)[])('%s', (name) => {
  const op = BINARY[name];
  it.each(PAIRS)('gradients for %j with %j', (sa, sb) => {
    checkGrads(op, [sa, sb], { domain: DOMAIN[name] });
  });
  it('gradients with a number operand on either side', () => {
    checkGrads((a) => op(a, 1.7), [[2, 3]], { domain: DOMAIN[name][0] });
    checkGrads((b) => op(1.7, b), [[2, 3]], { domain: DOMAIN[name][1] });
  });
  it('gradient for one input only when the other is a constant', () => {
    checkGrads(op, [[3, 4], [4]], { domain: DOMAIN[name], constants: [0] });
    checkGrads(op, [[3, 4], [4]], { domain: DOMAIN[name], constants: [1] });
  });
  it('names the op and both shapes when broadcasting fails', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([1, 2]);
    expect(() => op(a, b)).toThrow(`${name}: shapes [2, 3] and [2] cannot be broadcast together (axis -1: 3 ≠ 2, and neither is 1)`);
  });
  it('refuses to mix float32 and float64', () => {
    const a = tensor([1, 2]);
    const b = tensor([1, 2], { dtype: 'float64' });
    expect(() => op(a, b)).toThrow(`${name}: dtype mismatch: argument 1 is float64 [2] but an earlier tensor argument is float32`);
  });
  it('rejects operands that are neither tensors nor numbers', () => {
    expect(() => op(tensor([1]), '2' as unknown as number)).toThrow(`${name}: expected a Tensor or a number, got string`);
  });
});

describe('forward values', () => {
  it('computes the element-wise results with broadcasting', () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const b = tensor([10, 20], { dtype: 'float64' });
    expect(sub(a, b).toArray()).toEqual([[-9, -18], [-7, -16]]);
    expect(div(a, b).toArray()).toEqual([[0.1, 0.1], [0.3, 0.2]]);
    expect(pow(a, 2).toArray()).toEqual([[1, 4], [9, 16]]);
    expect(pow(2, a).toArray()).toEqual([[2, 4], [8, 16]]);
    expect(sub(1, a).toArray()).toEqual([[0, -1], [-2, -3]]);
    expect(neg(a).toArray()).toEqual([[-1, -2], [-3, -4]]);
  });
  it('keeps the dtype of the tensor operand when the other is a number', () => {
    expect(div(tensor([1], { dtype: 'float64' }), 3).dtype).toBe('float64');
    expect(div(3, tensor([1])).dtype).toBe('float32');
  });
});

describe('unary ops', () => {
  const SHAPES: Shape[] = [[3, 4], [2, 3, 4], [5], []];
  it.each(SHAPES)('neg and exp gradients for %j', (...shape) => {
    checkGrads(neg, [shape]);
    checkGrads(exp, [shape]);
  });
  it.each(SHAPES)('log and sqrt gradients for %j (positive inputs)', (...shape) => {
    checkGrads(log, [shape], { domain: [0.2, 3] });
    checkGrads(sqrt, [shape], { domain: [0.2, 3] });
  });
  it('composes: d/dx of sqrt(exp(x)·x²) through several ops', () => {
    checkGrads((x) => sqrt(mul(exp(x), pow(x, 2))), [[2, 3]], { domain: [0.3, 2] });
  });
  it('rejects a non-tensor input with the op name', () => {
    expect(() => exp(3 as never)).toThrow('exp: input must be a Tensor, got number');
    expect(() => log(null as never)).toThrow('log: input must be a Tensor, got null');
  });
});
