import { getKernelThreads, setKernelThreads } from '@tapegrad/autograd/kernels';
import { afterEach, describe, expect, it } from 'vitest';
import { probeCell, SpeedProbe } from './machine-probe.ts';

describe('SpeedProbe', () => {
  const threads = getKernelThreads();
  afterEach(() => setKernelThreads(threads));

  it('times the default product: a finite GFLOP/s per sample, named in words', () => {
    const probe = new SpeedProbe();
    probe.sample();
    probe.sample();
    const f = probe.finish()!;
    expect(f.samples).toBe(2);
    expect(f.product).toMatch(/^float32 \d+×\d+×\d+ matrix product, 1 thread, (wasm|JS) kernels$/);
    expect(Number.isFinite(f.maxGflops)).toBe(true);
    expect(f.minGflops).toBeGreaterThan(0);
  });

  it('keeps the best of three calls per sample and summarises min, median and max', () => {
    // a product whose calls take 4, 2, 3 ms (best 2), then 1, 1, 1 ms, then 8, 5, 6 ms (best 5), on a fake clock
    const durations = [4, 2, 3, 1, 1, 1, 8, 5, 6];
    let call = 0;
    let clock = 0;
    const product = () => ({ label: 'fake', macs: 1e6, run: () => void (clock += durations[call++]) });
    const probe = new SpeedProbe(product, () => clock);
    for (let i = 0; i < 3; i++) probe.sample();
    // GFLOP/s = 2 flops · 1e6 multiply-adds / (ms · 1e6): 1 at 2 ms, 2 at 1 ms, 0.4 at 5 ms
    expect(call).toBe(9);
    expect(probe.finish()).toEqual({ product: 'fake', minGflops: 0.4, medianGflops: 1, maxGflops: 2, samples: 3 });
  });

  it('gives the mean of the middle two as the median of an even count, and skips a call the clock cannot see', () => {
    const durations = [1, 1, 1, 4, 4, 4, 0, 0, 0, 2, 2, 2];
    let call = 0;
    let clock = 0;
    const probe = new SpeedProbe(() => ({ label: 'fake', macs: 1e6, run: () => void (clock += durations[call++]) }), () => clock);
    for (let i = 0; i < 4; i++) probe.sample();
    // 2, 0.5, (none: 0 ms), 1 GFLOP/s
    expect(probe.finish()).toEqual({ product: 'fake', minGflops: 0.5, medianGflops: 1, maxGflops: 2, samples: 3 });
  });

  it('runs the product on one kernel thread and restores the setting, also when the product throws', () => {
    setKernelThreads(2);
    const seen: number[] = [];
    const ok = new SpeedProbe(() => ({ label: 'fake', macs: 1, run: () => void seen.push(getKernelThreads()) }));
    ok.sample();
    expect(seen).toEqual([1, 1, 1]);
    expect(getKernelThreads()).toBe(2);
    const failing = new SpeedProbe(() => ({
      label: 'fake',
      macs: 1,
      run: () => {
        throw new Error('boom');
      },
    }));
    expect(() => failing.sample()).toThrow('boom');
    expect(getKernelThreads()).toBe(2);
  });

  it('reports nothing before a sample', () => {
    expect(new SpeedProbe().finish()).toBeNull();
    expect(probeCell(null)).toBe('—');
  });
});

describe('probeCell', () => {
  it('gives the median and the range, whole numbers from 10 up', () => {
    expect(probeCell({ product: 'p', minGflops: 21.6, medianGflops: 30.2, maxGflops: 45.4, samples: 19 })).toBe('30 (22–45)');
    expect(probeCell({ product: 'p', minGflops: 0.61, medianGflops: 0.7, maxGflops: 1.04, samples: 3 })).toBe('0.7 (0.6–1.0)');
  });
});
