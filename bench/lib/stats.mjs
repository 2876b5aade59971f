// Small statistics helpers (no dependencies).

/** The q-quantile (0..1) of `values` by linear interpolation; undefined when empty. */
export function quantile(values, q) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const low = sorted[lo] ?? 0;
  const high = sorted[hi] ?? low;
  return low + (high - low) * (at - lo);
}

export const median = (values) => quantile(values, 0.5);

export function mean(values) {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Rounds to `digits` decimals, keeping undefined. */
export function round(value, digits = 3) {
  if (value === undefined || value === null || !Number.isFinite(value)) return undefined;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** a / b, or undefined when either is missing or b is 0. */
export function ratio(a, b) {
  if (a === undefined || b === undefined || a === null || b === null || b === 0) return undefined;
  return a / b;
}

/** The order of `items` for round `round`: rotated by the round number, reversed every other round. */
export function roundOrder(items, roundIndex) {
  const n = items.length;
  const rotated = items.map((_, i) => items[(i + roundIndex) % n]);
  return roundIndex % 2 === 1 ? rotated.reverse() : rotated;
}
