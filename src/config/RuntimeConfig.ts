/**
 * The live configuration of a running server: starts as the `ServerConfig` and changes with
 * CONFIG SET. Commands and connections read it on every use, so a change takes effect at once.
 * Parameters that only exist for compatibility (save, appendonly, ...) are kept here as strings
 * so CONFIG GET answers what CONFIG SET stored.
 */
import { resolve } from "node:path"
import { defaultOutputBufferLimits, type OutputBufferLimits } from "./outputBufferLimits.js"
import type { ServerConfig } from "./ServerConfig.js"

export class RuntimeConfig {
  port: number
  bind: string
  maxclients: number
  timeout: number
  readonly databases: number
  /** cluster-enabled: set at start only, as in Redis. */
  readonly clusterEnabled: boolean
  shutdownTimeout: number
  protoMaxBulkLen: number
  hz: number
  /** Encoding thresholds: hashes, sets and sorted sets convert (one way) when they pass them, as in Redis. */
  setMaxIntsetEntries = 512
  zsetMaxListpackEntries = 128
  zsetMaxListpackValue = 64
  hashMaxListpackEntries = 512
  hashMaxListpackValue = 64
  /** A sparse HyperLogLog longer than this turns dense (src/keyspace/hyperloglog). */
  hllSparseMaxBytes = 3000
  /** A stream node holds at most this many entries / about this many bytes (0: no limit), as in Redis. */
  streamNodeMaxEntries = 100
  streamNodeMaxBytes = 4096
  /** Which keyspace notifications are published (bits of `NotifyType`, src/pubsub/keyspaceEvents.ts). */
  notifyKeyspaceEvents = 0
  /** client-output-buffer-limit; the pubsub class bounds slow subscribers (src/pubsub/Hub.ts). */
  outputBufferLimits: OutputBufferLimits = defaultOutputBufferLimits()
  /** The default user's password ("" = none: every client is authenticated). See src/session/Authentication.ts. */
  requirepass = ""
  /** Told of CONFIG SET requirepass: the default ACL user's password follows it. */
  onRequirepassChange: ((password: string) => void) | undefined = undefined
  /** Most bytes of one client's incomplete command before it is closed (src/server/ClientLimits.ts). */
  clientQueryBufferLimit = 1024 * 1024 * 1024
  /**
   * Typed mirrors of `maxmemory`, `maxmemory-policy` and `protected-mode` (kept as strings in
   * `extra`, where CONFIG GET and the watchers find them), read before every command.
   */
  maxmemory = 0
  maxmemoryPolicy = "noeviction"
  protectedMode = true
  /** Keys sampled per eviction round, and how long one eviction may run (see src/eviction/MaxMemory.ts). */
  maxmemorySamples = 5
  maxmemoryEvictionTenacity = 10
  /** Parameters kept as Redis spells them and as CONFIG SET last set them. */
  readonly extra = new Map<string, string>([
    ["save", ""],
    ["appendonly", "no"],
    ["appendfsync", "everysec"],
    ["appendfilename", "appendonly.aof"],
    ["auto-aof-rewrite-percentage", "100"],
    ["auto-aof-rewrite-min-size", "67108864"],
    ["aof-load-truncated", "yes"],
    ["stop-writes-on-bgsave-error", "yes"],
    ["rdbcompression", "yes"],
    ["rdbchecksum", "yes"],
    ["dir", process.cwd()],
    ["dbfilename", "dump.rdb"],
    ["maxmemory", "0"],
    ["maxmemory-policy", "noeviction"],
    ["lfu-log-factor", "10"],
    ["lfu-decay-time", "1"],
    ["tracking-table-max-keys", "1000000"],
    ["acllog-max-len", "128"],
    ["loglevel", "notice"],
    ["tcp-keepalive", "300"],
    ["protected-mode", "yes"],
    ["lazyfree-lazy-user-del", "no"]
  ])

  private readonly watchers = new Map<string, Array<(value: string) => void>>()

  constructor(config: ServerConfig) {
    this.port = config.port
    this.bind = config.bind
    this.maxclients = config.maxclients
    this.timeout = config.timeout
    this.databases = config.databases
    this.clusterEnabled = config.clusterEnabled === "yes"
    this.shutdownTimeout = config.shutdownTimeout
    this.protoMaxBulkLen = config.protoMaxBulkLen
    this.hz = config.hz
    this.extra.set("appendonly", config.appendonly)
    this.extra.set("appendfsync", config.appendfsync)
    this.extra.set("dir", resolve(config.dir))
    this.extra.set("appendfilename", config.appendfilename)
    this.extra.set("dbfilename", config.dbfilename)
    this.extra.set("aclfile", config.aclfile)
    this.extra.set("save", config.save.trim().split(/\s+/).filter((piece) => piece !== "").join(" "))
    this.watch("maxmemory", (value) => (this.maxmemory = Number(value)))
    this.watch("maxmemory-policy", (value) => (this.maxmemoryPolicy = value))
    this.watch("protected-mode", (value) => (this.protectedMode = value === "yes"))
    this.requirepass = config.requirepass
    if (config.masterauth !== "") this.extra.set("masterauth", config.masterauth)
    if (config.masteruser !== "") this.extra.set("masteruser", config.masteruser)
    this.clientQueryBufferLimit = config.clientQueryBufferLimit
    this.maxmemorySamples = config.maxmemorySamples
    this.setExtra("maxmemory", String(config.maxmemory))
    this.setExtra("maxmemory-policy", config.maxmemoryPolicy)
    this.setExtra("protected-mode", config.protectedMode)
  }

  /** Sets an extra parameter and tells whoever watches it (CONFIG SET appendonly starts the AOF, ...). */
  setExtra(name: string, value: string): void {
    this.extra.set(name, value)
    this.announce(name, value)
  }

  /** Tells the watchers of `name` its new value (for parameters kept in typed fields, too). */
  announce(name: string, value: string): void {
    for (const watcher of this.watchers.get(name) ?? []) watcher(value)
  }

  /** Calls `watcher` with every new value of the extra parameter `name`. */
  watch(name: string, watcher: (value: string) => void): void {
    const list = this.watchers.get(name)
    if (list === undefined) this.watchers.set(name, [watcher])
    else list.push(watcher)
  }

  /** The parser's bulk limit; the parser holds this object, so CONFIG SET applies at once. */
  get maxBulkLength(): number {
    return this.protoMaxBulkLen
  }
}
