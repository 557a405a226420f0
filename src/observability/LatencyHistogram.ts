/**
 * A per-command latency histogram with the layout Redis 7.0 uses (an HDR histogram of
 * nanoseconds, 1 ns to 1 s, two significant digits): each power-of-two range is cut into 128
 * equal steps, so any value is kept within 1% and INFO latencystats' percentiles and LATENCY
 * HISTOGRAM's buckets read the same numbers Redis prints for the same durations.
 */

/** Redis's LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE, in nanoseconds. */
const MIN_VALUE = 1
const MAX_VALUE = 1_000_000_000
/** 2 significant digits: 256 sub-buckets per bucket, the upper half of each one counted. */
const SUB_BUCKET_HALF_MAGNITUDE = 7
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE
const SUB_BUCKET_MASK = (SUB_BUCKET_HALF << 1) - 1

/** Values stay below 2^31 (MAX_VALUE), so 32-bit bit operations are exact. */
const bucketIndexOf = (value: number): number => 32 - Math.clz32(value | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_MAGNITUDE + 1)

/** Index in `counts` of a value. */
const countsIndexOf = (value: number): number => {
  const bucket = bucketIndexOf(value)
  const sub = value >>> bucket
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sub - SUB_BUCKET_HALF)
}

/** The smallest value counted at `index`, and the width of its range. */
const rangeOf = (index: number): readonly [lowest: number, size: number] => {
  let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1
  let sub = (index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF
    bucket = 0
  }
  return [sub * 2 ** bucket, 2 ** bucket]
}

/** The largest value counted in the same place as `value` (hdr's highest_equivalent_value). */
const highestEquivalent = (value: number): number => {
  const [lowest, size] = rangeOf(countsIndexOf(value))
  return lowest + size - 1
}

const COUNTS_LENGTH = countsIndexOf(MAX_VALUE) + 1

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS_LENGTH)
  total = 0

  /** Records one duration in microseconds (as Redis: duration * 1000 ns, clamped to 1 ns .. 1 s). */
  recordMicros(micros: number): void {
    let nanos = Math.round(micros * 1000)
    if (nanos < MIN_VALUE) nanos = MIN_VALUE
    else if (nanos > MAX_VALUE) nanos = MAX_VALUE
    this.counts[countsIndexOf(nanos)]++
    this.total++
  }

  /** hdr_value_at_percentile, in nanoseconds. */
  valueAtPercentile(percentile: number): number {
    const wanted = Math.max(1, Math.floor((Math.min(percentile, 100) / 100) * this.total + 0.5))
    let seen = 0
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      seen += this.counts[i]
      if (seen >= wanted) {
        const [lowest, size] = rangeOf(i)
        return lowest + size - 1
      }
    }
    return 0
  }

  /**
   * LATENCY HISTOGRAM's buckets: the cumulative count at each power of two from 1024 ns (hdr's
   * logarithmic iterator, base 2), keyed by the bucket's highest value in µs, only where the
   * count grew.
   */
  cumulativeBuckets(): Array<readonly [micros: number, count: number]> {
    const buckets: Array<readonly [number, number]> = []
    let seen = 0
    let previous = 0
    let index = 0
    for (let level = 1024; seen < this.total; level *= 2) {
      const limit = highestEquivalent(level)
      while (index < COUNTS_LENGTH) {
        const [lowest] = rangeOf(index)
        if (lowest > limit) break
        seen += this.counts[index]
        index++
      }
      if (seen > previous) buckets.push([Math.floor(limit / 1000), seen])
      previous = seen
    }
    return buckets
  }
}
