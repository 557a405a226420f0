/**
 * Random picks for SRANDMEMBER, SPOP and ZRANDMEMBER (and HRANDFIELD): distinct positions in
 * O(count), and the bound on picks with repetition.
 */

/** A uniform random integer in [0, n). */
export const randomIndex = (n: number): number => Math.floor(Math.random() * n)

/**
 * `count` distinct random positions below `size` (count < size), in random order: a partial
 * Fisher-Yates shuffle when count is a large share of size (O(size) = O(count) then), else
 * rejection sampling (expected under 1.5 draws per pick).
 */
export const distinctIndexes = (size: number, count: number): Array<number> => {
  if (count * 3 > size) {
    const positions = Array.from({ length: size }, (_, i) => i)
    for (let i = 0; i < count; i++) {
      const j = i + randomIndex(size - i)
      const swap = positions[i]
      positions[i] = positions[j]
      positions[j] = swap
    }
    positions.length = count
    return positions
  }
  const chosen = new Set<number>()
  while (chosen.size < count) chosen.add(randomIndex(size))
  return Array.from(chosen)
}

/**
 * Picks with repetition (a negative count) are not bounded by the collection's size; Redis
 * would build a reply of any length and run out of memory. Beyond this many we answer
 * Redis's "value is out of range" instead of building a reply of gigabytes.
 */
export const MAX_REPEATED_PICKS = 1 << 24

export const ERR_TOO_MANY_PICKS = "ERR value is out of range"
