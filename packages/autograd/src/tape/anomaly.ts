// Anomaly checks (detectAnomaly): which op produced a non-finite value, in its forward or its backward.
import type { FloatArray, Shape } from '../kernels/index.ts';
import { firstNonFinite, shapeStr } from '../kernels/index.ts';

/** The op whose backward rule is running now, or null outside a reverse walk: an op recorded inside it is blamed on it. */
let runningBackwardOf: string | null = null;

/** The op whose backward rule is running now, or null. */
export function runningBackward(): string | null {
  return runningBackwardOf;
}

/** Names `op` as the one whose backward rule is running (null: none); returns the one it replaces. */
export function setRunningBackward(op: string | null): string | null {
  const previous = runningBackwardOf;
  runningBackwardOf = op;
  return previous;
}

/** Throws, naming `op` and `what`, if `data` holds a NaN or an infinity. */
export function checkFinite(op: string, what: string, data: FloatArray, shape: Shape): void {
  const i = firstNonFinite(data);
  if (i >= 0) {
    throw new Error(`anomaly: ${op} produced ${data[i]} in ${what} (shape ${shapeStr(shape)}, flat index ${i})`);
  }
}
