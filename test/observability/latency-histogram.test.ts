import { describe, expect, it } from "vitest"
import { LatencyHistogram } from "../../src/observability/LatencyHistogram.js"

describe("LatencyHistogram", () => {
  it("reads percentiles as Redis prints them (highest value of the 1% step)", () => {
    const histogram = new LatencyHistogram()
    histogram.recordMicros(2)
    histogram.recordMicros(2)
    histogram.recordMicros(28)
    // Redis 7.0 printed p50=2.007,p99=28.031 for these durations.
    expect(histogram.valueAtPercentile(50)).toBe(2007)
    expect(histogram.valueAtPercentile(99)).toBe(28031)
    expect(histogram.total).toBe(3)
  })

  it("gives LATENCY HISTOGRAM's cumulative power-of-two buckets", () => {
    const histogram = new LatencyHistogram()
    for (let i = 0; i < 4; i++) histogram.recordMicros(3)
    histogram.recordMicros(0)
    histogram.recordMicros(1056)
    expect(histogram.cumulativeBuckets()).toEqual([[1, 1], [4, 5], [1056, 6]])
  })

  it("clamps to one second", () => {
    const histogram = new LatencyHistogram()
    histogram.recordMicros(5e9)
    expect(histogram.valueAtPercentile(100)).toBeGreaterThanOrEqual(1e9)
    expect(histogram.valueAtPercentile(100)).toBeLessThan(1.01e9)
  })
})
