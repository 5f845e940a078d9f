// Number formats shared by the progress lines and the reports.

/** 1.2e-7, 0 for exact zero, ∞, — for not-a-number. */
export function sci(x: number, digits = 1): string {
  if (Number.isNaN(x)) return '—';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  return x.toExponential(digits).replace('e+', 'e');
}

/** Milliseconds with three significant digits or so: 0.008, 1.93, 19.3, 188. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}
