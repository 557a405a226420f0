/**
 * Redis's partial quicksort (`pqsort`, the Bentley-McIlroy quicksort of the BSD libc that only
 * recurses into parts overlapping the wanted ranks), which SORT ... BY ... LIMIT and GEOSEARCH
 * ... COUNT use when they keep fewer elements than they found. It is not stable: elements that
 * compare equal end up in the order this algorithm leaves them, so replies with ties match
 * Redis only if the same swaps are made — hence this exact rendition, on array indices.
 */

/** Sorts `items` enough that ranks `left`..`right` (inclusive) hold what a full sort puts there. */
export const partialSort = <T>(items: Array<T>, compare: (a: T, b: T) => number, left: number, right: number): void => {
  sortRange(items, compare, 0, items.length, left, right)
}

const swap = <T>(items: Array<T>, i: number, j: number): void => {
  const t = items[i]
  items[i] = items[j]
  items[j] = t
}

/** Swaps `count` elements from `i` with as many from `j`. */
const swapRuns = <T>(items: Array<T>, i: number, j: number, count: number): void => {
  for (let k = 0; k < count; k++) swap(items, i + k, j + k)
}

const medianOfThree = <T>(items: Array<T>, compare: (a: T, b: T) => number, a: number, b: number, c: number): number =>
  compare(items[a], items[b]) < 0
    ? compare(items[b], items[c]) < 0
      ? b
      : compare(items[a], items[c]) < 0
        ? c
        : a
    : compare(items[b], items[c]) > 0
      ? b
      : compare(items[a], items[c]) < 0
        ? a
        : c

/** Whether ranks `left`..`right` touch the `count` elements from `start`. */
const overlaps = (start: number, count: number, left: number, right: number): boolean =>
  !((left < start && right < start) || (left >= start + count && right >= start + count))

const sortRange = <T>(
  items: Array<T>,
  compare: (a: T, b: T) => number,
  start: number,
  count: number,
  left: number,
  right: number
): void => {
  for (;;) {
    if (count < 7) {
      for (let m = start + 1; m < start + count; m++) {
        for (let l = m; l > start && compare(items[l - 1], items[l]) > 0; l--) swap(items, l, l - 1)
      }
      return
    }
    let pivot = start + Math.floor(count / 2)
    if (count > 7) {
      let low = start
      let high = start + count - 1
      if (count > 40) {
        const d = Math.floor(count / 8)
        low = medianOfThree(items, compare, low, low + d, low + 2 * d)
        pivot = medianOfThree(items, compare, pivot - d, pivot, pivot + d)
        high = medianOfThree(items, compare, high - 2 * d, high - d, high)
      }
      pivot = medianOfThree(items, compare, low, pivot, high)
    }
    swap(items, start, pivot)
    let pa = start + 1
    let pb = pa
    let pc = start + count - 1
    let pd = pc
    for (;;) {
      let result: number
      while (pb <= pc && (result = compare(items[pb], items[start])) <= 0) {
        if (result === 0) swap(items, pa++, pb)
        pb++
      }
      while (pb <= pc && (result = compare(items[pc], items[start])) >= 0) {
        if (result === 0) swap(items, pc, pd--)
        pc--
      }
      if (pb > pc) break
      swap(items, pb++, pc--)
    }
    const end = start + count
    let r = Math.min(pa - start, pb - pa)
    swapRuns(items, start, pb - r, r)
    r = Math.min(pd - pc, end - pd - 1)
    swapRuns(items, pb, end - r, r)
    r = pb - pa
    if (r > 1 && overlaps(start, r, left, right)) sortRange(items, compare, start, r, left, right)
    r = pd - pc
    if (r <= 1) return
    start = end - r
    count = r
    if (!overlaps(start, count, left, right)) return
  }
}
