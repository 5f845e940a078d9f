import { equation, sup } from './symbols.ts';
import type { Matrix, Trace } from './types.ts';

export interface FormatTraceOptions {
  /** Digits after the decimal point (default 6). */
  readonly digits?: number;
  /** A heading line (default: "Trace"). */
  readonly title?: string;
}

/** Fixed-point when every non-zero entry is in [1e-3, 1e6), else scientific notation, for the whole table. */
function formatter(data: ArrayLike<number>, digits: number): (v: number) => string {
  let fixed = true;
  for (let i = 0; i < data.length; i++) {
    const m = Math.abs(data[i]);
    if (m !== 0 && Number.isFinite(m) && (m < 1e-3 || m >= 1e6)) fixed = false;
  }
  return fixed ? (v) => v.toFixed(digits) : (v) => v.toExponential(Math.max(1, digits - 2));
}

/** A matrix as aligned rows under a label line "label  (rows × cols)". */
function table(label: string, m: Matrix, digits: number, indent: string): string[] {
  const [rows, cols] = m.shape.length === 2 ? m.shape : [1, m.shape[0]];
  const num = formatter(m.data, digits);
  const cells = Array.from(m.data, num);
  const width = Math.max(...cells.map((c) => c.length));
  const dims = m.shape.length === 2 ? `${rows} × ${cols}` : `${cols}`;
  const lines = [`${indent}${label}   (${dims})`];
  for (let r = 0; r < rows; r++) {
    lines.push(`${indent}    ${cells.slice(r * cols, (r + 1) * cols).map((c) => c.padStart(width)).join('  ')}`);
  }
  return lines;
}

/**
 * The trace as readable tables in the chapter's symbols: the forward pass layer by layer (W^l, b^l, z^l, a^l),
 * the targets and the loss, then the backward pass from layer n down to 1 (δ^l, ∂loss/∂W^l, ∂loss/∂b^l).
 */
export function formatTrace(trace: Trace, options: FormatTraceOptions = {}): string {
  const digits = options.digits ?? 6;
  const { sizes, N, layers } = trace;
  const n = layers.length;
  const out: string[] = [];
  const rows = N === 1 ? '1 sample' : `a batch of ${N} samples`;
  out.push(`${options.title ?? 'Trace'}: sizes [${sizes.join(', ')}], ${rows}`);
  out.push('', 'Forward pass');
  out.push(...table(`a${sup(0)} = x`, trace.a0, digits, '  '));
  for (const L of layers) {
    const l = L.l;
    const act = l < n ? L.activation : 'softmax';
    out.push('', `  layer ${l}${l === n ? ' (output)' : ''}`);
    out.push(...table(`W${sup(l)}`, L.W, digits, '    '));
    out.push(...table(`b${sup(l)}`, L.b, digits, '    '));
    out.push(...table(equation('z', l, n, act), L.z, digits, '    '));
    out.push(...table(equation('a', l, n, act), L.a, digits, '    '));
  }
  out.push('');
  out.push(...table('y', trace.y, digits, '  '));
  out.push(`  loss = mean over rows of −Σ_i y_i ln a${sup(n)}_i = ${trace.loss.toFixed(Math.max(digits, 10))}`);
  out.push('', 'Backward pass');
  for (let i = n - 1; i >= 0; i--) {
    const L = layers[i];
    const l = L.l;
    out.push(`  layer ${l}`);
    out.push(...table(equation('delta', l, n, L.activation), L.delta, digits, '    '));
    out.push(...table(equation('dW', l, n, L.activation), L.dW, digits, '    '));
    out.push(...table(equation('db', l, n, L.activation), L.db, digits, '    '));
    if (i > 0) out.push('');
  }
  return out.join('\n');
}
