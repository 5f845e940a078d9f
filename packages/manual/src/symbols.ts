// The chapter's symbols as text, for the printed trace and for error messages: one place for how z^l, a^l, δ^l,
// ∂loss/∂W^l and ∂loss/∂b^l are written and what each one's equation is.

/** The symbols of one layer, in the order the chapter computes them. */
export type SymbolName = 'z' | 'a' | 'delta' | 'dW' | 'db';

const SUP: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** "^l" written as a superscript: a³, W¹², … */
export function sup(l: number): string {
  return String(l).replace(/\d/g, (c) => SUP[c]);
}

/** The symbol's name for layer l: z², δ³, ∂loss/∂W¹. */
export function symbolText(symbol: SymbolName, l: number): string {
  const name = { z: 'z', a: 'a', delta: 'δ', dW: '∂loss/∂W', db: '∂loss/∂b' }[symbol];
  return `${name}${sup(l)}`;
}

const EQUATIONS: Record<SymbolName, (l: number, n: number, act: string) => string> = {
  z: (l) => `z${sup(l)} = a${sup(l - 1)} W${sup(l)} + b${sup(l)}`,
  a: (l, _n, act) => `a${sup(l)} = ${act}(z${sup(l)})`,
  delta: (l, n, act) => (l === n ? `δ${sup(n)} = (a${sup(n)} − y) / N` : `δ${sup(l)} = δ${sup(l + 1)} (W${sup(l + 1)})ᵀ ⊙ ${act}'(z${sup(l)})`),
  dW: (l) => `∂loss/∂W${sup(l)} = (a${sup(l - 1)})ᵀ δ${sup(l)}`,
  db: (l) => `∂loss/∂b${sup(l)} = Σ_rows δ${sup(l)}`,
};

/**
 * The chapter's equation for `symbol` of layer l of n, `act` the layer's activation (softmax for l = n):
 * "z² = a¹ W² + b²", "δ¹ = δ² (W²)ᵀ ⊙ sigmoid'(z¹)".
 */
export function equation(symbol: SymbolName, l: number, n: number, act: string): string {
  return EQUATIONS[symbol](l, n, act);
}
