import type { FloatArray } from '@tapegrad/autograd/kernels';
import { matmulNT, matmulTN, scale, subtract, sumRows } from '@tapegrad/autograd/kernels';
import type { Network } from './network.ts';
import type { Workspace } from './workspace.ts';

/**
 * The chapter's backward pass for a batch of N rows, from the z^l and a^l the forward pass cached and the targets y
 * in the workspace. Writes δ^l into the workspace and ∂loss/∂W^l, ∂loss/∂b^l into dW[l], db[l] (l = 1 … n).
 * The product ⊙ act'(z^l) is the activation's `backward` kernel, the one autograd's rules call: it takes act' from
 * z^l or from a^l = act(z^l) as autograd does (σ' = a(1 − a), tanh' = 1 − a²), so both engines round alike.
 */
export function backward(net: Network, ws: Workspace, dW: FloatArray[], db: FloatArray[]): void {
  const { n, sizes: s, W, act } = net;
  const { N, a, z, delta, Y } = ws;
  scale(subtract(a[n], Y, delta[n]), 1 / N, delta[n]); // δ^n = (a^n − y) / N
  for (let l = n; l >= 1; l--) {
    if (l < n) act[l].backward(matmulNT(delta[l + 1], W[l + 1], delta[l], N, s[l + 1], s[l]), z[l], a[l], delta[l]); // δ^l = δ^{l+1} (W^{l+1})ᵀ ⊙ act'(z^l)
    matmulTN(a[l - 1], delta[l], dW[l], s[l - 1], N, s[l]); // ∂loss/∂W^l = (a^{l-1})ᵀ δ^l
    sumRows(delta[l], db[l], N, s[l]); //                        ∂loss/∂b^l = Σ_rows δ^l
  }
}
