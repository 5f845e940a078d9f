import { matmulBias, softmaxRows } from '@tapegrad/autograd/kernels';
import type { Network } from './network.ts';
import type { Workspace } from './workspace.ts';

/**
 * The forward pass, layer by layer, with a[0] = x already in the workspace:
 *   z^l = a^{l-1} W^l + b^l,  a^l = act(z^l) for l < n,  a^n = softmax(z^n).
 * Caches every z^l and a^l in the workspace for backward.
 */
export function forward(net: Network, ws: Workspace): void {
  const { n, sizes: s, W, b, act } = net;
  const { N, z, a } = ws;
  for (let l = 1; l <= n; l++) {
    matmulBias(a[l - 1], W[l], b[l], z[l], N, s[l - 1], s[l]); // z^l = a^{l-1} W^l + b^l
    if (l < n) act[l].f(z[l], a[l]); //                             a^l = act(z^l)
  }
  softmaxRows(z[n], a[n], N, s[n]); //                              a^n = softmax(z^n), row max subtracted
}
