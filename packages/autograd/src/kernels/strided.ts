import type { Shape } from './shape.ts';
import { stridesOf } from './shape.ts';

/**
 * Strides of `shape` seen from a broadcast `target` shape: axes that are missing or of size 1 get stride 0,
 * so walking `target` reads the same element again along them.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  return target.map((_, i) => (i < offset || shape[i - offset] === 1 ? 0 : own[i - offset]));
}

/**
 * Walks every index of `shape` in row-major order and calls `visit(ia, ib)` with the flat offsets that two
 * operands with strides `sa` and `sb` have there. The odometer keeps the walk allocation-free.
 */
export function walk2(shape: Shape, sa: readonly number[], sb: readonly number[], visit: (ia: number, ib: number) => void): void {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let n = 0; n < total; n++) {
    visit(ia, ib);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      ia += sa[ax];
      ib += sb[ax];
      if (idx[ax] < shape[ax]) break;
      ia -= sa[ax] * shape[ax];
      ib -= sb[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
}
