import { describe, expect, it } from 'vitest';
import { checkAllocation } from './dtype.ts';
import { formatValue } from './format.ts';

describe('checkAllocation', () => {
  it('passes buffers that fit and returns their bytes', () => {
    expect(checkAllocation('t', 'float32', { W: [3, 4], b: [4] })).toBe(64);
    expect(checkAllocation('t', 'float64', { a: [] })).toBe(8);
  });

  it('names the op, the buffer, its shape and its bytes when one is longer than a typed array can be', () => {
    // 2^33 elements: over V8's 2^32 (Node 20); a runtime with longer typed arrays refuses it for memory (34 GB)
    // or, for 2^40, certainly so
    expect(() => checkAllocation('zeros', 'float32', { 'a tensor': [2 ** 40] })).toThrow(
      /^zeros: a tensor of shape \[1099511627776\] in float32 \(1099511627776 elements, 4\.4 TB \(4398046511104 bytes\)\) (is larger than a typed array can be \(at most \d+ elements\)|needs more memory than this machine gives)/,
    );
  });

  it('adds up every buffer against the machine memory, naming the largest', () => {
    // forty 28.8 GB float64 buffers, each short enough for a typed array: 1.15 TB together
    const buffers = Object.fromEntries(Array.from({ length: 40 }, (_, l) => [`W${l}`, [60000, 60000]]));
    expect(() => checkAllocation('MLP', 'float64', buffers)).toThrow(
      /^MLP: W0 of shape \[60000, 60000\] in float64 \(3600000000 elements, 28\.8 GB \(28800000000 bytes\)\) and 39 more \(1\.2 TB \(1152000000000 bytes\) in all\) needs more memory than this machine gives \(\d+\.\d [kMGT]B \(\d+ bytes\)\)$/,
    );
  });
});

describe('formatValue', () => {
  it('writes numbers as JavaScript does, never as JSON null', () => {
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue(-0)).toBe('-0');
    expect(formatValue(0.1)).toBe('0.1');
  });

  it('quotes strings, so "4" is not read as 4, inside lists and objects too', () => {
    expect(formatValue('0.1')).toBe('"0.1"');
    expect(formatValue([3, '4', 2])).toBe('[3, "4", 2]');
    expect(formatValue({ lr: Infinity, name: 'x' })).toBe('{ lr: Infinity, name: "x" }');
  });

  it('names typed arrays, class instances and functions by type, and cuts long text', () => {
    expect(formatValue(new Float64Array(3))).toBe('a Float64Array(3)');
    expect(formatValue(new Map())).toBe('a Map');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(null)).toBe('null');
    const long = formatValue(Array.from({ length: 100 }, (_, i) => i));
    expect(long).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
  });
});
