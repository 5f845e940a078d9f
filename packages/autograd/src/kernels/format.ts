// How a value the user passed appears in an error message, the same at every error site of both engines: numbers as
// JavaScript writes them (NaN, Infinity, -0: never JSON's null), strings quoted (so '4' is not mistaken for 4),
// lists and plain objects element by element, typed arrays by type and length; long text cut at MAX_LENGTH.

const MAX_LENGTH = 80;

function format(v: unknown, depth: number): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'symbol') return String(v);
  if (typeof v === 'function') return `a function${v.name === '' ? '' : ` ${v.name}`}`;
  if (ArrayBuffer.isView(v)) {
    const length = 'length' in v ? `(${(v as unknown as ArrayLike<unknown>).length})` : '';
    return `a ${v.constructor.name}${length}`;
  }
  if (depth > 3) return Array.isArray(v) ? '[…]' : '{…}';
  if (Array.isArray(v)) return `[${v.map((x) => format(x, depth + 1)).join(', ')}]`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `a ${proto?.constructor?.name ?? 'object'}`;
  const entries = Object.entries(v as object).map(([key, x]) => `${key}: ${format(x, depth + 1)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** `v` as it should appear in an error message: `NaN`, `"0.1"`, `[3, "4", 2]`, `{ lr: Infinity }`, `a Float64Array(3)`. */
export function formatValue(v: unknown): string {
  const text = format(v, 0);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
