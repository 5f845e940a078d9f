/** A number for the tables: six decimals, or scientific notation where that would hide it. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const m = Math.abs(v);
  return m !== 0 && (m < 1e-3 || m >= 1e6) ? v.toExponential(3) : v.toFixed(6);
}

/** 1234.5 → "1,235". */
export function formatCount(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–';
}

/** An element with a class and children (strings become text). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  Object.assign(el, props);
  el.append(...children);
  return el;
}

/** A CSS grid of `cols` columns holding `children` in row-major order (a matrix). */
export function gridOf(className: string, cols: number, children: Node[]): HTMLDivElement {
  const el = h('div', { className }, ...children);
  el.style.gridTemplateColumns = `repeat(${cols}, auto)`;
  return el;
}
