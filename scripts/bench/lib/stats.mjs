/** Small number helpers shared by the bench modes. */

/** Median of the finite numbers in `values` (NaN when there are none). */
export const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** `items` rotated left by `by` (to vary which server goes first in each round). */
export const rotate = (items, by) => items.map((_, i) => items[(i + by) % items.length])
