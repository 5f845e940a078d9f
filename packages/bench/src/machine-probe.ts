import { backendAvailable, getKernelThreads, setKernelThreads } from '@tapegrad/autograd/kernels';
import { matmulRef, matmulWasm } from '@tapegrad/autograd/kernels/internal';
import { median } from './median.ts';

// How fast the machine was while a workload was timed. On a shared machine the same code does not run at one
// speed: on the 2-vCPU VM this bench was written on, one float32 matrix product on one thread, timed once a second
// with the VM otherwise idle (load average 0.2), gave 35 39 22 23 24 41 36 28 27 41 23 40 … GFLOP/s: two speeds,
// about 20-25 and 36-43, switching from one second to the next, set outside the VM. A 4-minute run mixes both. The
// engines are timed in turns so that their ratio survives that; the absolute milliseconds do not, and without the
// machine's speed beside them two runs cannot be compared. So the bench times one fixed product before each
// benchmark and reports the range it saw.
//
// The product: float32 128×256×256 on one thread (8.4M multiply-adds, ~0.2-0.4 ms) in the wasm kernels where they
// load, else 64×128×128 in the reference JS loops. Best of three calls per sample, so that one preemption does not
// make a sample; one sample before each benchmark (a few milliseconds in all, outside every timed sample).

export interface ProbeFigures {
  /** What was timed, in words. */
  readonly product: string;
  /** GFLOP/s (2 flops per multiply-add) over the samples: the slowest, the median and the fastest. */
  readonly minGflops: number;
  readonly medianGflops: number;
  readonly maxGflops: number;
  readonly samples: number;
}

interface Product {
  readonly label: string;
  readonly macs: number;
  readonly run: () => void;
}

function defaultProduct(): Product {
  const wasm = backendAvailable('wasm');
  const [m, k, n] = wasm ? [128, 256, 256] : [64, 128, 128];
  const a = new Float32Array(m * k).map((_, i) => Math.sin(i));
  const b = new Float32Array(k * n).map((_, i) => Math.cos(i));
  const out = new Float32Array(m * n);
  return {
    label: `float32 ${m}×${k}×${n} matrix product, 1 thread, ${wasm ? 'wasm' : 'JS'} kernels`,
    macs: m * k * n,
    run: wasm ? () => matmulWasm(a, b, out, m, k, n) : () => matmulRef(a, b, out, m, k, n),
  };
}

/** Samples the machine's speed on one fixed product; finish() summarises what it saw. */
export class SpeedProbe {
  private readonly gflops: number[] = [];
  private product: Product | null = null;

  /** `makeProduct` and `now` (ms) replace the default product and clock (tests). */
  constructor(
    private readonly makeProduct: () => Product = defaultProduct,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Times the product now (best of three calls, on one kernel thread) and keeps its GFLOP/s. */
  sample(): void {
    this.product ??= this.makeProduct();
    const { macs, run } = this.product;
    const threads = getKernelThreads();
    setKernelThreads(1);
    try {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = this.now();
        run();
        best = Math.min(best, this.now() - t);
      }
      // a product faster than the timer can see is left out rather than counted as infinitely fast
      if (best > 0) this.gflops.push((2 * macs) / (best * 1e6));
    } finally {
      setKernelThreads(threads);
    }
  }

  /** The figures over every sample; null if none was taken. */
  finish(): ProbeFigures | null {
    if (this.gflops.length === 0 || this.product === null) return null;
    return {
      product: this.product.label,
      minGflops: Math.min(...this.gflops),
      medianGflops: median(this.gflops),
      maxGflops: Math.max(...this.gflops),
      samples: this.gflops.length,
    };
  }
}

/** "31 (22–45)": the median GFLOP/s and the range, for a table cell. */
export function probeCell(p: ProbeFigures | null): string {
  if (p === null) return '—';
  const g = (x: number) => x.toFixed(x >= 10 ? 0 : 1);
  return `${g(p.medianGflops)} (${g(p.minGflops)}–${g(p.maxGflops)})`;
}
