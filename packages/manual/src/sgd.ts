import type { FloatArray } from '@tapegrad/autograd/kernels';
import { axpy } from '@tapegrad/autograd/kernels';
import type { Network } from './network.ts';

/** Throws unless the learning rate is a finite positive number. */
export function checkLearningRate(where: string, lr: unknown): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new Error(`${where}: learning rate is ${String(lr)}; expected a finite number > 0`);
  }
  return lr;
}

/** One step of plain gradient descent on every layer, in place. */
export function sgdUpdate(net: Network, dW: readonly FloatArray[], db: readonly FloatArray[], lr: number): void {
  for (let l = 1; l <= net.n; l++) {
    axpy(-lr, dW[l], net.W[l]); // W^l ← W^l − lr ∂loss/∂W^l
    axpy(-lr, db[l], net.b[l]); // b^l ← b^l − lr ∂loss/∂b^l
  }
}
