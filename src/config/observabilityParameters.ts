/**
 * The operator's parameters (SLOWLOG, LATENCY, latency tracking, DEBUG), as Redis 7.0 declares
 * them. They live as strings in `RuntimeConfig.extra`; src/observability/Observability.ts keeps
 * typed copies through the config's watchers, so the per-command code reads plain fields.
 */
import { parseInteger } from "../protocol/arguments.js"
import type { Change, ConfigParameter } from "./ConfigParameter.js"
import type { RuntimeConfig } from "./RuntimeConfig.js"

const LLONG_MAX = 9223372036854775807n

const stored = (name: string, value: string): Change => ({ apply: (config: RuntimeConfig) => config.setExtra(name, value) })

const longLong = (name: string, min: bigint, fallback: string): ConfigParameter => ({
  name,
  access: "mutable",
  get: (config) => config.extra.get(name) ?? fallback,
  set: (text) => {
    const value = parseInteger(text)
    if (value === undefined) return "argument couldn't be parsed into an integer"
    if (BigInt(value) < min || BigInt(value) > LLONG_MAX) {
      return `argument must be between ${min} and ${LLONG_MAX} inclusive`
    }
    return stored(name, String(value))
  }
})

/** Redis's strtod for a config double: the whole text must be a number. */
const PERCENTILE = /^[ \t]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Parses "50 99 99.9" into percentiles, or Redis's error. */
export const parsePercentiles = (text: string): Array<number> | string => {
  const values: Array<number> = []
  for (const piece of text.split(" ")) {
    if (piece === "") continue
    if (!PERCENTILE.test(piece)) return "Invalid latency-tracking-info-percentiles parameters"
    const value = Number(piece)
    if (value < 0 || value > 100) return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
    values.push(value)
  }
  return values
}

export const observabilityParameters: ReadonlyArray<ConfigParameter> = [
  longLong("slowlog-log-slower-than", -1n, "10000"),
  longLong("slowlog-max-len", 0n, "128"),
  longLong("latency-monitor-threshold", 0n, "0"),
  {
    name: "latency-tracking",
    access: "mutable",
    get: (config) => config.extra.get("latency-tracking") ?? "yes",
    set: (text) => {
      const lower = text.toLowerCase()
      return lower === "yes" || lower === "no" ? stored("latency-tracking", lower) : "argument must be 'yes' or 'no'"
    }
  },
  {
    name: "latency-tracking-info-percentiles",
    access: "mutable",
    get: (config) => config.extra.get("latency-tracking-info-percentiles") ?? "50 99 99.9",
    set: (text) => {
      const values = parsePercentiles(text)
      return typeof values === "string" ? values : stored("latency-tracking-info-percentiles", values.join(" "))
    }
  },
  {
    name: "enable-debug-command",
    access: "immutable",
    get: (config) => config.extra.get("enable-debug-command") ?? "no",
    set: () => "can't set immutable config"
  }
]
