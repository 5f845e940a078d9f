import { describe, expect, it } from 'vitest';
import { RssSampler } from './memory.ts';

describe('RssSampler', () => {
  it('keeps the largest RSS sampled, in MiB, and reports maxRSS (KiB) beside it', () => {
    const readings = [100, 300, 200, 250].map((mb) => mb * 2 ** 20);
    let i = 0;
    const s = new RssSampler(() => readings[Math.min(i++, readings.length - 1)]);
    s.sample();
    s.sample();
    const m = s.finish(400 * 1024);
    expect(m).toEqual({ peakRssMB: 300, startRssMB: 100, processMaxRssMB: 400, samples: 4 });
  });

  it('reads the real process: start ≤ peak ≤ maxRSS', () => {
    const s = new RssSampler();
    const keep = new Float64Array(4 * 2 ** 20).fill(1); // 32 MB touched
    s.sample();
    const m = s.finish();
    expect(keep[keep.length - 1]).toBe(1);
    expect(m.peakRssMB).toBeGreaterThanOrEqual(m.startRssMB);
    expect(m.peakRssMB).toBeGreaterThan(20);
    expect(m.peakRssMB).toBeLessThanOrEqual(m.processMaxRssMB + 1); // maxRSS is the kernel's high-water mark
  });
});
