import type { FloatArray } from '@tapegrad/autograd/kernels';
import { allFinite, axpy, firstNonFinite, formatValue } from '@tapegrad/autograd/kernels';
import { positionText } from './anomaly.ts';
import type { Network } from './network.ts';
import { symbolText, sup } from './symbols.ts';

/** Throws unless the learning rate is a finite positive number. */
export function checkLearningRate(where: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new Error(`${where}: learning rate is ${formatValue(lr)}; expected a finite number > 0`);
  }
  return lr;
}

/** Buffers of the parameters' shapes that the next values are computed into before they replace the parameters. */
export interface Spare {
  readonly W: FloatArray[];
  readonly b: FloatArray[];
}

/**
 * One step of plain gradient descent on every layer, W^l ← W^l − lr ∂loss/∂W^l and b^l ← b^l − lr ∂loss/∂b^l, that
 * never writes a non-finite value into the parameters. Each layer's new values are computed into `spare` (a copy of
 * the parameters, then the same axpy) and scanned with allFinite; only when all are finite do the spare buffers
 * become the parameters (and the old ones the spare). Otherwise it throws, naming the first gradient that is not
 * finite, or the update that overflows the dtype, and the parameters stay as they were.
 */
export function sgdUpdate(where: string, net: Network, spare: Spare, dW: readonly FloatArray[], db: readonly FloatArray[], lr: number, loss: number): void {
  for (let l = 1; l <= net.n; l++) {
    axpy(-lr, dW[l], copyInto(net.W[l], spare.W[l])); // W^l − lr ∂loss/∂W^l
    axpy(-lr, db[l], copyInto(net.b[l], spare.b[l])); // b^l − lr ∂loss/∂b^l
    if (!allFinite(spare.W[l]) || !allFinite(spare.b[l])) throw updateError(where, net, spare, dW, db, lr, loss);
  }
  for (let l = 1; l <= net.n; l++) {
    [net.W[l], spare.W[l]] = [spare.W[l], net.W[l]];
    [net.b[l], spare.b[l]] = [spare.b[l], net.b[l]];
  }
}

function copyInto(from: FloatArray, to: FloatArray): FloatArray {
  to.set(from);
  return to;
}

/** Why an update is not finite: a gradient that is not (the last layer first, as backward computes them), else an overflow. */
function updateError(where: string, net: Network, spare: Spare, dW: readonly FloatArray[], db: readonly FloatArray[], lr: number, loss: number): Error {
  const s = net.sizes;
  const kept = 'so the parameters are left as they were';
  for (let l = net.n; l >= 1; l--) {
    for (const [symbol, g, param, shape] of [['dW', dW[l], 'W', [s[l - 1], s[l]]], ['db', db[l], 'b', [s[l]]]] as const) {
      const i = firstNonFinite(g);
      if (i < 0) continue;
      return new Error(
        `${where}: ${symbolText(symbol, l)} (layer ${l}) is ${g[i]} at ${positionText(i, shape)}; the step would write it into ` +
          `${param}${sup(l)}, ${kept} (the loss was ${loss}; detectAnomaly: true names where the first non-finite value appears)`,
      );
    }
  }
  const dtype = net.dtype;
  for (let l = 1; l <= net.n; l++) {
    for (const [symbol, next, param, g, shape] of [['dW', spare.W[l], net.W[l], dW[l], [s[l - 1], s[l]]], ['db', spare.b[l], net.b[l], db[l], [s[l]]]] as const) {
      const i = firstNonFinite(next);
      if (i < 0) continue;
      const p = `${symbol === 'dW' ? 'W' : 'b'}${sup(l)}`;
      return new Error(
        `${where}: ${p} − lr·${symbolText(symbol, l)} overflows ${dtype} at ${positionText(i, shape)} ` +
          `(${p} is ${param[i]}, ${symbolText(symbol, l)} is ${g[i]}, lr ${lr}), ${kept}`,
      );
    }
  }
  return new Error(`${where}: the update is not finite, ${kept}`);
}
