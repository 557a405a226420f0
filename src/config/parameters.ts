/**
 * The parameters CONFIG GET and CONFIG SET know: how each one reads from the live
 * `RuntimeConfig`, how a new value is validated (with Redis 7's error texts) and stored. Typed
 * parameters are listed here; any other name kept in `RuntimeConfig.extra` is a free string.
 *
 * Setting a parameter is two steps, as in Redis: `set` checks the text and returns a `Change`
 * (or the error), and only when every pair of a CONFIG SET is valid are the changes applied, so
 * a failed CONFIG SET changes nothing. A change can also fail to apply: `port` and `bind` are
 * accepted only when they keep the current value, because our listener cannot rebind; any other
 * value answers the error Redis gives when its own rebind fails.
 */
import { parseInteger } from "../protocol/arguments.js"
import { ERR_EVENT_CLASS, formatKeyspaceEvents, parseKeyspaceEvents } from "../pubsub/keyspaceEvents.js"
import { parseMemory, UINT64_MAX } from "./memory.js"
import { observabilityParameters } from "./observabilityParameters.js"
import { formatOutputBufferLimits, parseOutputBufferLimits } from "./outputBufferLimits.js"
import type { Change, ConfigParameter } from "./ConfigParameter.js"
import type { RuntimeConfig } from "./RuntimeConfig.js"

const INT_MAX = 2147483647

const ERR_NOT_INTEGER = "argument couldn't be parsed into an integer"
const ERR_NOT_MEMORY = "argument must be a memory value"
const ERR_NOT_BOOL = "argument must be 'yes' or 'no'"
const between = (min: number | bigint, max: number | bigint) => `argument must be between ${min} and ${max} inclusive`

/** An integer parameter: Redis's strict `string2ll`, then its range. */
const integerValue = (text: string, min: number, max: number): number | string => {
  const value = parseInteger(text)
  if (value === undefined) return ERR_NOT_INTEGER
  if (value < min || value > max) return between(min, max)
  return Number(value)
}

const memoryValue = (text: string, min: bigint, max: bigint): bigint | string => {
  const value = parseMemory(text)
  if (value === undefined) return ERR_NOT_MEMORY
  if (value < min || value > max) return between(min, max)
  return value
}

const change = (apply: (config: RuntimeConfig) => void): Change => ({ apply })

/** A parameter kept as a string in `RuntimeConfig.extra`, normalised by `validate`. */
const extraParameter = (
  name: string,
  validate: (value: string) => { value: string } | string,
  fallback = ""
): ConfigParameter => ({
  name,
  access: "mutable",
  get: (config) => config.extra.get(name) ?? fallback,
  set: (value) => {
    const checked = validate(value)
    if (typeof checked === "string") return checked
    return change((config) => config.setExtra(name, checked.value))
  }
})

/** busy-reply-threshold and its alias lua-time-limit: ms a script runs before others get -BUSY. */
const busyReplyThreshold = (name: string): ConfigParameter => ({
  name,
  access: "mutable",
  get: (config) => config.extra.get("busy-reply-threshold") ?? "5000",
  set: (value) => {
    const checked = integerText(0, Number.MAX_SAFE_INTEGER)(value)
    if (typeof checked === "string") return checked
    return change((config) => config.setExtra("busy-reply-threshold", checked.value))
  }
})

const protectedParameter = (name: string): ConfigParameter => ({
  name,
  access: "protected",
  get: (config) => config.extra.get(name) ?? "",
  set: () => "can't set protected config"
})

const yesNo = (value: string) => {
  const lower = value.toLowerCase()
  return lower === "yes" || lower === "no" ? { value: lower } : ERR_NOT_BOOL
}

const oneOf = (choices: ReadonlyArray<string>) => (value: string) => {
  const lower = value.toLowerCase()
  return choices.includes(lower) ? { value: lower } : `argument(s) must be one of the following: ${choices.join(", ")}`
}

const integerText = (min: number, max: number) => (value: string) => {
  const parsed = integerValue(value, min, max)
  return typeof parsed === "string" ? parsed : { value: String(parsed) }
}

/** A size_t-like parameter (0 to LONG_MAX), as Redis checks them. */
const nonNegativeLong = (value: string): { value: string } | string => {
  const parsed = parseInteger(value)
  if (parsed === undefined) return ERR_NOT_INTEGER
  if (parsed < 0) return between(0, 2n ** 63n - 1n)
  return { value: String(parsed) }
}

const memoryText = (min: bigint, max: bigint) => (value: string) => {
  const parsed = memoryValue(value, min, max)
  return typeof parsed === "string" ? parsed : { value: String(parsed) }
}

/**
 * `save`: "seconds changes" pairs split on single spaces, each a `strtoll` number (a sign and
 * leading zeros are fine, an empty piece reads as 0), seconds at least 1, changes at least 0.
 * Stored normalised, as Redis prints it back.
 */
const SAVE_NUMBER = /^[ \t\n\v\f\r]*[+-]?[0-9]+$/
const saveRules = (value: string) => {
  if (value === "") return { value: "" }
  const pieces = value.split(" ")
  if (pieces.length % 2 !== 0) return "Invalid save parameters"
  const numbers: Array<string> = []
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]
    if (piece !== "" && !SAVE_NUMBER.test(piece)) return "Invalid save parameters"
    const number = piece === "" ? 0n : BigInt(piece.trim())
    if (number < (i % 2 === 0 ? 1n : 0n)) return "Invalid save parameters"
    numbers.push(String(number))
  }
  return { value: numbers.join(" ") }
}

const LONG_MAX = 9223372036854775807n

/**
 * A `size_t` encoding threshold (0..LONG_MAX; an integer, or a memory size for the `-value`
 * ones) behind a typed field, under its name and its Redis 7.0 aliases (each alias is its own
 * parameter, as CONFIG GET and SET's duplicate check see them). The number is what conversions
 * compare with; the value as set is what GET shows (beyond 2^53 a number would not be exact).
 */
const thresholdParameters = (
  names: ReadonlyArray<string>,
  kind: "integer" | "memory",
  read: (config: RuntimeConfig) => number,
  write: (config: RuntimeConfig, value: number) => void
): Array<ConfigParameter> =>
  names.map((name) => ({
    name,
    access: "mutable",
    get: (config) => config.extra.get(names[0]) ?? String(read(config)),
    set: (text) => {
      const value = kind === "integer" ? parseInteger(text) : parseMemory(text)
      if (value === undefined) return kind === "integer" ? ERR_NOT_INTEGER : ERR_NOT_MEMORY
      if (value < 0 || value > LONG_MAX) return between(0, LONG_MAX)
      return change((config) => {
        write(config, Number(value))
        config.extra.set(names[0], String(value))
      })
    }
  }))

/**
 * list-max-listpack-size only sizes quicklist nodes in Redis 7.0 (a list is always "quicklist"),
 * so nothing reads it: it is kept for CONFIG GET, under its ziplist name too.
 */
const listMaxListpackSize = extraParameter("list-max-listpack-size", integerText(-2147483648, INT_MAX), "-2")

/** An integer parameter with 64-bit bounds (beyond what a JS number holds exactly). */
const longText = (min: bigint, max: bigint) => (value: string) => {
  const parsed = parseInteger(value)
  if (parsed === undefined) return ERR_NOT_INTEGER
  if (parsed < min || parsed > max) return between(min, max)
  return { value: String(parsed) }
}

/**
 * Parameters of features that have no knob here (quicklist compression, HyperLogLog, stream
 * nodes, active defragmentation, lazy freeing, rehashing, payload sanitization): validated as
 * Redis 7.0 validates them and kept for CONFIG GET, so tools that set them get Redis's answers.
 * Active defragmentation cannot be turned on, with the error Redis gives without its Jemalloc.
 */
function compatibilityParameters(): Array<ConfigParameter> {
  const defrag = extraParameter("activedefrag", (value) => {
    const checked = yesNo(value)
    if (typeof checked === "string" || checked.value === "no") return checked
    return "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
  }, "no")
  return [
    extraParameter("list-compress-depth", integerText(0, INT_MAX), "0"),
    defrag,
    extraParameter("active-defrag-ignore-bytes", memoryText(1n, LONG_MAX), "104857600"),
    extraParameter("active-defrag-threshold-lower", integerText(0, 1000), "10"),
    extraParameter("active-defrag-threshold-upper", integerText(0, 1000), "100"),
    extraParameter("active-defrag-cycle-min", integerText(1, 99), "1"),
    extraParameter("active-defrag-cycle-max", integerText(1, 99), "25"),
    extraParameter("active-defrag-max-scan-fields", longText(1n, LONG_MAX), "1000"),
    extraParameter("lazyfree-lazy-eviction", yesNo, "no"),
    extraParameter("lazyfree-lazy-expire", yesNo, "no"),
    extraParameter("lazyfree-lazy-server-del", yesNo, "no"),
    extraParameter("lazyfree-lazy-user-flush", yesNo, "no"),
    extraParameter("activerehashing", yesNo, "yes"),
    extraParameter("sanitize-dump-payload", oneOf(["no", "yes", "clients"]), "no")
  ]
}

/** Replication's parameters (src/replication/), with their older `slave` names as aliases. */
const replicationParameters = (): Array<ConfigParameter> => {
  const backlogSize = extraParameter("repl-backlog-size", (value) => {
    const checked = memoryText(1n, 2n ** 63n - 1n)(value)
    // Redis keeps at least 16 KB (CONFIG_REPL_BACKLOG_MIN_SIZE).
    return typeof checked === "string" ? checked : { value: String(Math.max(16384, Number(checked.value))) }
  }, "1048576")
  const pingPeriod = extraParameter("repl-ping-replica-period", integerText(1, INT_MAX), "10")
  const readOnly = extraParameter("replica-read-only", yesNo, "yes")
  const staleData = extraParameter("replica-serve-stale-data", yesNo, "yes")
  const priority = extraParameter("replica-priority", integerText(0, INT_MAX), "100")
  const minReplicas = extraParameter("min-replicas-to-write", integerText(0, INT_MAX), "0")
  const maxLag = extraParameter("min-replicas-max-lag", integerText(0, INT_MAX), "10")
  return [
    backlogSize,
    pingPeriod,
    { ...pingPeriod, name: "repl-ping-slave-period" },
    extraParameter("repl-timeout", integerText(1, INT_MAX), "60"),
    extraParameter("repl-backlog-ttl", integerText(0, INT_MAX), "3600"),
    extraParameter("repl-diskless-sync", yesNo, "yes"),
    extraParameter("repl-diskless-sync-delay", integerText(0, INT_MAX), "5"),
    extraParameter("repl-diskless-sync-max-replicas", integerText(0, INT_MAX), "0"),
    extraParameter("repl-diskless-load", oneOf(["disabled", "on-empty-db", "swapdb"]), "disabled"),
    extraParameter("repl-disable-tcp-nodelay", yesNo, "no"),
    readOnly,
    { ...readOnly, name: "slave-read-only" },
    staleData,
    { ...staleData, name: "slave-serve-stale-data" },
    priority,
    { ...priority, name: "slave-priority" },
    extraParameter("replica-announced", yesNo, "yes"),
    extraParameter("replica-announce-ip", (value) => ({ value })),
    extraParameter("replica-announce-port", integerText(0, 65535), "0"),
    extraParameter("replica-lazy-flush", yesNo, "no"),
    minReplicas,
    { ...minReplicas, name: "min-slaves-to-write" },
    maxLag,
    { ...maxLag, name: "min-slaves-max-lag" },
    // Test hook: microseconds a replica waits after each key of its primary's snapshot (negative: one in -N keys).
    { ...extraParameter("key-load-delay", integerText(-INT_MAX - 1, INT_MAX), "0"), hidden: true },
    extraParameter("masterauth", (value) => ({ value })),
    extraParameter("masteruser", (value) => ({ value }))
  ]
}

/** Parameters backed by typed fields of `RuntimeConfig`, then the typed extras. */
const TYPED: ReadonlyArray<ConfigParameter> = [
  {
    name: "port",
    access: "mutable",
    get: (_config, server) => String(server.tcpPort),
    set: (value, _config, server) => {
      const port = integerValue(value, 0, 65535)
      if (typeof port === "string") return port
      if (port === server.tcpPort) return change(() => {})
      return { apply: () => {}, applyError: "Unable to listen on this port. Check server logs." }
    }
  },
  {
    name: "bind",
    access: "mutable",
    get: (config) => config.bind,
    set: (value, config) => {
      const addresses = value.split(" ").filter((address) => address !== "")
      if (addresses.length > 16) return "Too many bind addresses specified."
      if (addresses.join(" ") === config.bind) return change(() => {})
      return { apply: () => {}, applyError: "Failed to bind to specified addresses." }
    }
  },
  {
    name: "maxclients",
    access: "mutable",
    get: (config) => String(config.maxclients),
    set: (value) => {
      const parsed = integerValue(value, 1, 4294967295)
      return typeof parsed === "string" ? parsed : change((config) => (config.maxclients = parsed))
    }
  },
  {
    name: "timeout",
    access: "mutable",
    get: (config) => String(config.timeout),
    set: (value) => {
      const parsed = integerValue(value, 0, INT_MAX)
      return typeof parsed === "string" ? parsed : change((config) => {
        config.timeout = parsed
        config.announce("timeout", String(parsed))
      })
    }
  },
  {
    name: "databases",
    access: "immutable",
    get: (config) => String(config.databases),
    set: () => "can't set immutable config"
  },
  {
    name: "cluster-enabled",
    access: "immutable",
    get: (config) => (config.clusterEnabled ? "yes" : "no"),
    set: () => "can't set immutable config"
  },
  extraParameter("save", saveRules),
  extraParameter("appendonly", yesNo),
  {
    name: "proto-max-bulk-len",
    access: "mutable",
    get: (config) => String(config.protoMaxBulkLen),
    set: (value) => {
      const parsed = memoryValue(value, 1024n * 1024n, 2n ** 63n - 1n)
      if (typeof parsed === "string") return parsed
      // Beyond 2^53 no bulk could ever reach the limit anyway.
      const limit = parsed > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(parsed)
      return change((config) => (config.protoMaxBulkLen = limit))
    }
  },
  {
    name: "hz",
    access: "mutable",
    get: (config) => String(config.hz),
    set: (value) => {
      const parsed = integerValue(value, 0, INT_MAX)
      // Redis keeps hz within 1..500 whatever was asked for.
      return typeof parsed === "string" ? parsed : change((config) => (config.hz = Math.min(500, Math.max(1, parsed))))
    }
  },
  {
    name: "shutdown-timeout",
    access: "mutable",
    get: (config) => String(config.shutdownTimeout),
    set: (value) => {
      const parsed = integerValue(value, 0, INT_MAX)
      return typeof parsed === "string" ? parsed : change((config) => (config.shutdownTimeout = parsed))
    }
  },
  extraParameter("appendfsync", oneOf(["everysec", "always", "no"])),
  {
    name: "appendfilename",
    access: "immutable",
    get: (config) => config.extra.get("appendfilename") ?? "",
    set: () => "can't set immutable config"
  },
  extraParameter("auto-aof-rewrite-percentage", integerText(0, INT_MAX)),
  extraParameter("auto-aof-rewrite-min-size", memoryText(0n, 2n ** 63n - 1n)),
  extraParameter("aof-load-truncated", yesNo),
  extraParameter("stop-writes-on-bgsave-error", yesNo),
  extraParameter("rdbcompression", yesNo),
  extraParameter("rdbchecksum", yesNo),
  protectedParameter("dir"),
  protectedParameter("dbfilename"),
  {
    name: "aclfile",
    access: "immutable",
    get: (config) => config.extra.get("aclfile") ?? "",
    set: () => "can't set immutable config"
  },
  extraParameter("maxmemory", memoryText(0n, UINT64_MAX)),
  extraParameter(
    "maxmemory-policy",
    oneOf([
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "noeviction"
    ])
  ),
  extraParameter("lfu-log-factor", integerText(0, INT_MAX)),
  extraParameter("tracking-table-max-keys", nonNegativeLong),
  extraParameter("acllog-max-len", nonNegativeLong),
  extraParameter("lfu-decay-time", integerText(0, INT_MAX)),
  {
    name: "requirepass",
    access: "mutable",
    get: (config) => config.requirepass,
    // Clients keep the authentication they have (src/session/Authentication.ts).
    set: (value) =>
      change((config) => {
        config.requirepass = value
        config.onRequirepassChange?.(value)
      })
  },
  {
    name: "maxmemory-samples",
    access: "mutable",
    get: (config) => String(config.maxmemorySamples),
    set: (value) => {
      const parsed = integerValue(value, 1, INT_MAX)
      return typeof parsed === "string" ? parsed : change((config) => (config.maxmemorySamples = parsed))
    }
  },
  {
    name: "maxmemory-eviction-tenacity",
    access: "mutable",
    get: (config) => String(config.maxmemoryEvictionTenacity),
    set: (value) => {
      const parsed = integerValue(value, 0, 100)
      return typeof parsed === "string" ? parsed : change((config) => (config.maxmemoryEvictionTenacity = parsed))
    }
  },
  {
    name: "client-query-buffer-limit",
    access: "mutable",
    get: (config) => String(config.clientQueryBufferLimit),
    set: (value) => {
      const parsed = memoryValue(value, 1024n * 1024n, 2n ** 63n - 1n)
      if (typeof parsed === "string") return parsed
      const limit = parsed > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(parsed)
      return change((config) => (config.clientQueryBufferLimit = limit))
    }
  },
  extraParameter("loglevel", oneOf(["debug", "verbose", "notice", "warning"])),
  busyReplyThreshold("busy-reply-threshold"),
  busyReplyThreshold("lua-time-limit"),
  extraParameter("tcp-keepalive", integerText(0, INT_MAX)),
  extraParameter("protected-mode", yesNo),
  {
    name: "notify-keyspace-events",
    access: "mutable",
    get: (config) => formatKeyspaceEvents(config.notifyKeyspaceEvents),
    set: (value) => {
      const flags = parseKeyspaceEvents(value)
      return flags === undefined ? ERR_EVENT_CLASS : change((config) => (config.notifyKeyspaceEvents = flags))
    }
  },
  {
    name: "client-output-buffer-limit",
    access: "mutable",
    get: (config) => formatOutputBufferLimits(config.outputBufferLimits),
    set: (value, config) => {
      // Classes the value does not name keep their limits.
      const limits = parseOutputBufferLimits(value, config.outputBufferLimits)
      return typeof limits === "string" ? limits : change((live) => (live.outputBufferLimits = limits))
    }
  },
  extraParameter("lazyfree-lazy-user-del", yesNo),
  ...thresholdParameters(["set-max-intset-entries"], "integer", (c) => c.setMaxIntsetEntries, (c, v) => (c.setMaxIntsetEntries = v)),
  ...thresholdParameters(
    ["zset-max-listpack-entries", "zset-max-ziplist-entries"],
    "integer",
    (c) => c.zsetMaxListpackEntries,
    (c, v) => (c.zsetMaxListpackEntries = v)
  ),
  ...thresholdParameters(
    ["zset-max-listpack-value", "zset-max-ziplist-value"],
    "memory",
    (c) => c.zsetMaxListpackValue,
    (c, v) => (c.zsetMaxListpackValue = v)
  ),
  ...thresholdParameters(
    ["hash-max-listpack-entries", "hash-max-ziplist-entries"],
    "integer",
    (c) => c.hashMaxListpackEntries,
    (c, v) => (c.hashMaxListpackEntries = v)
  ),
  ...thresholdParameters(
    ["hash-max-listpack-value", "hash-max-ziplist-value"],
    "memory",
    (c) => c.hashMaxListpackValue,
    (c, v) => (c.hashMaxListpackValue = v)
  ),
  ...thresholdParameters(["hll-sparse-max-bytes"], "memory", (c) => c.hllSparseMaxBytes, (c, v) => (c.hllSparseMaxBytes = v)),
  ...thresholdParameters(["stream-node-max-entries"], "integer", (c) => c.streamNodeMaxEntries, (c, v) => (c.streamNodeMaxEntries = v)),
  ...thresholdParameters(["stream-node-max-bytes"], "memory", (c) => c.streamNodeMaxBytes, (c, v) => (c.streamNodeMaxBytes = v)),
  listMaxListpackSize,
  { ...listMaxListpackSize, name: "list-max-ziplist-size" },
  ...compatibilityParameters(),
  ...observabilityParameters,
  ...replicationParameters()
]

const TYPED_BY_NAME = new Map(TYPED.map((parameter) => [parameter.name, parameter] as const))

/** Untyped extras, one object per name (CONFIG GET and SET tell parameters apart by identity). */
const untypedParameters = new Map<string, ConfigParameter>()
const untypedParameter = (name: string): ConfigParameter => {
  let parameter = untypedParameters.get(name)
  if (parameter === undefined) {
    parameter = extraParameter(name, (value) => ({ value }))
    untypedParameters.set(name, parameter)
  }
  return parameter
}

/** A parameter by name (case-insensitive), or undefined when CONFIG does not know it. */
export const findParameter = (config: RuntimeConfig, name: string): ConfigParameter | undefined => {
  const lower = name.toLowerCase()
  const typed = TYPED_BY_NAME.get(lower)
  if (typed !== undefined) return typed
  return config.extra.has(lower) ? untypedParameter(lower) : undefined
}

/** Every parameter, typed ones first, then untyped extras in the order they were added. */
export const allParameters = (config: RuntimeConfig): ReadonlyArray<ConfigParameter> => {
  const untyped: Array<ConfigParameter> = []
  for (const name of config.extra.keys()) {
    if (!TYPED_BY_NAME.has(name)) untyped.push(untypedParameter(name))
  }
  return untyped.length === 0 ? TYPED : [...TYPED, ...untyped]
}
