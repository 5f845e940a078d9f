// Peak memory of a workload: the resident set size (RSS) of the process, sampled while the workload runs (at its
// start, after the data, after the finite differences, after every lockstep step, and after every benchmark.js
// cycle and benchmark), and the process's high-water mark from getrusage at its end.
//
// What this is and is not: RSS is the whole process's memory in RAM, so the figure includes Node's own baseline
// (~50-100 MB: V8, the code, the modules), the kernel worker threads, and whatever earlier workloads of the same
// run freed but the heap kept; it is the memory a user of this workload would see, not the workload's own bytes.
// Sampling sees RSS at the sample points only; a short spike inside one call (one forward pass) can be missed:
// maxRSS (kernel-tracked, exact, but never decreasing over the life of the process) bounds it from above.

const MiB = 2 ** 20;

export interface MemoryFigures {
  /** Largest RSS sampled while the workload ran, in MB (MiB, 2^20 bytes). */
  readonly peakRssMB: number;
  /** RSS when the workload started (the baseline it ran on top of), MB. */
  readonly startRssMB: number;
  /**
   * `process.resourceUsage().maxRSS` (KiB) at the end of the workload, in MB: the process's peak RSS since it
   * started, so at least the peak of every workload run so far in this process.
   */
  readonly processMaxRssMB: number;
  /** How many times RSS was sampled. */
  readonly samples: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Tracks the largest RSS seen between its creation and finish(). */
export class RssSampler {
  private peak: number;
  private readonly start: number;
  private count = 1;

  constructor(private readonly rss: () => number = () => process.memoryUsage.rss()) {
    this.start = this.peak = rss();
  }

  /** Reads RSS now and keeps it if it is the largest so far. */
  sample(): void {
    const r = this.rss();
    this.count++;
    if (r > this.peak) this.peak = r;
  }

  /** Samples once more and returns the figures; `maxRssKiB` is getrusage's high-water mark (KiB on Linux). */
  finish(maxRssKiB: number = process.resourceUsage().maxRSS): MemoryFigures {
    this.sample();
    return {
      peakRssMB: round1(this.peak / MiB),
      startRssMB: round1(this.start / MiB),
      processMaxRssMB: round1((maxRssKiB * 1024) / MiB),
      samples: this.count,
    };
  }
}
