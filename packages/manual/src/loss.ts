import { crossEntropyIndices, crossEntropyTargets } from '@tapegrad/autograd/kernels';
import type { Network } from './network.ts';
import type { Workspace } from './workspace.ts';

/**
 * The mean cross-entropy of the batch, loss = (1/N) Σ_rows −Σ_i y_i ln a^n_i, computed from the logits as
 * logsumexp(z^n) − z^n_k (never as ln of a probability), so logits of ±1000 give the exact finite loss.
 */
export function crossEntropy(net: Network, ws: Workspace): number {
  const k = net.sizes[net.n];
  const zn = ws.z[net.n];
  return ws.kind === 'probabilities' ? crossEntropyTargets(zn, ws.Y, ws.N, k) : crossEntropyIndices(zn, ws.labels, ws.N, k);
}
