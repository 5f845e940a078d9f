// Whether ops record onto the tape, and whether anomaly detection is on. Both are scoped switches in the
// manner of PyTorch's `torch.no_grad()` and `torch.autograd.detect_anomaly()`.

let gradEnabled = true;
let anomalyEnabled = false;

/** True when ops on tensors that require grad are recorded for backward(). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` recording nothing: results have no graph and do not require grad. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Turns recording on or off and returns the previous setting, for the tape's reverse walk to restore (createGraph). */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/**
 * Turns anomaly detection on or off: while on, the first op whose forward output, or whose backward gradient,
 * holds NaN or ±Infinity throws an Error naming that op.
 */
export function detectAnomaly(enabled: boolean): void {
  anomalyEnabled = enabled;
}

export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/** Runs `fn` with anomaly detection on, then restores the previous setting. */
export function withAnomalyDetection<T>(fn: () => T): T {
  const previous = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fn();
  } finally {
    anomalyEnabled = previous;
  }
}
