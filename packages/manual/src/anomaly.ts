import type { FloatArray } from '@tapegrad/autograd/kernels';
import { allFinite, firstNonFinite } from '@tapegrad/autograd/kernels';
import type { Network } from './network.ts';
import type { SymbolName } from './symbols.ts';
import { equation, sup } from './symbols.ts';
import type { Workspace } from './workspace.ts';

// Anomaly mode (ManualMLP's detectAnomaly): after each pass, every symbol is scanned in the order the chapter
// computes it (z¹, a¹, …, z^n, a^n, the loss, then δ^n, ∂loss/∂W^n, ∂loss/∂b^n, …, ∂loss/∂b¹), and the first one
// holding a NaN or ±Infinity is named with its layer, its equation and where in it the value is. Everything
// computed before it is finite (x and the parameters always are), so that equation is where the value appeared.
// Off by default: each scan is one pass over a buffer (allFinite, wasm-accelerated on large ones).

/** "[r, c] of N × k" for flat index i of a matrix of shape [rows, cols], "[j] of k" for a vector of shape [k]. */
export function positionText(i: number, shape: readonly number[]): string {
  if (shape.length === 1) return `[${i}] of ${shape[0]}`;
  const cols = shape[1];
  return `[${Math.floor(i / cols)}, ${i % cols}] of ${shape[0]} × ${cols}`;
}

function anomaly(where: string, net: Network, symbol: SymbolName, l: number, data: FloatArray, shape: readonly number[]): Error | null {
  if (allFinite(data)) return null;
  const i = firstNonFinite(data);
  const act = l < net.n ? net.act[l].name : 'softmax';
  return new Error(
    `${where}: detectAnomaly: the first non-finite value appears in layer ${l}, ${equation(symbol, l, net.n, act)}: ` +
      `${data[i]} at ${positionText(i, shape)} (every value computed before it is finite)`,
  );
}

/** Throws at the first non-finite z^l or a^l of the forward pass, l = 1 … n. */
export function checkForward(where: string, net: Network, ws: Workspace): void {
  for (let l = 1; l <= net.n; l++) {
    const cols = net.sizes[l];
    const err = anomaly(where, net, 'z', l, ws.z[l], [ws.N, cols]) ?? anomaly(where, net, 'a', l, ws.a[l], [ws.N, cols]);
    if (err) throw err;
  }
}

/** Throws if the loss is not finite (every z^l and a^l was). */
export function checkLoss(where: string, net: Network, loss: number): void {
  if (!Number.isFinite(loss)) {
    throw new Error(
      `${where}: detectAnomaly: the first non-finite value is the loss, mean over rows of −Σ_i y_i ln a${sup(net.n)}_i: ${loss} ` +
        `(every z^l and a^l is finite)`,
    );
  }
}

/** Throws at the first non-finite δ^l, ∂loss/∂W^l or ∂loss/∂b^l of the backward pass, l = n … 1. */
export function checkBackward(where: string, net: Network, ws: Workspace, dW: readonly FloatArray[], db: readonly FloatArray[]): void {
  const s = net.sizes;
  for (let l = net.n; l >= 1; l--) {
    const err =
      anomaly(where, net, 'delta', l, ws.delta[l], [ws.N, s[l]]) ??
      anomaly(where, net, 'dW', l, dW[l], [s[l - 1], s[l]]) ??
      anomaly(where, net, 'db', l, db[l], [s[l]]);
    if (err) throw err;
  }
}
