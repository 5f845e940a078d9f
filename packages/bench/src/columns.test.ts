import { describe, expect, it } from 'vitest';
import { fitColumns, TERMINAL_COLUMNS } from './columns.ts';

describe('fitColumns', () => {
  const width = (line: string) => [...line].length; // the test's lines hold no wide characters

  it('leaves lines that fit, and tables, as they are', () => {
    const table = `┌${'─'.repeat(130)}┐\n│ ${'x'.repeat(128)} │`;
    const text = `short line\n  indented × δ → line\n${table}`;
    expect(fitColumns(text)).toBe(text);
  });

  it('leaves a line of exactly the width whole, trailing spaces and all', () => {
    const line = `  ${'word '.repeat(23)}xy`; // 119 columns; with the z below, exactly 120
    expect(fitColumns(`${line}z`)).toBe(`${line}z`);
  });

  it('wraps a long line at word boundaries, continuation lines indented two past its own', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const line = `  lockstep: ${words.join(' ')}`;
    const out = fitColumns(line).split('\n');
    expect(out.length).toBeGreaterThan(2);
    for (const part of out) expect(width(part)).toBeLessThanOrEqual(TERMINAL_COLUMNS);
    expect(out[0].startsWith('  lockstep: word0 ')).toBe(true);
    for (const part of out.slice(1)) expect(part).toMatch(/^ {4}\S/);
    // nothing lost, nothing reordered
    expect(out.map((p) => p.trim()).join(' ')).toBe(line.trim());
  });

  it('counts a character as the terminal shows it, and breaks a word longer than a line', () => {
    const line = `${'×'.repeat(100)} ${'a'.repeat(150)}`;
    const out = fitColumns(line, 40).split('\n');
    for (const part of out) expect(width(part)).toBeLessThanOrEqual(40);
    expect(out.join('').replace(/\s/g, '')).toBe(line.replace(/\s/g, ''));
  });
});
