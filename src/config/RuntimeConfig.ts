/**
 * The live configuration of a running server: starts as the `ServerConfig` and changes with
 * CONFIG SET. Commands and connections read it on every use, so a change takes effect at once.
 * Parameters that only exist for compatibility (save, appendonly, ...) are kept here as strings
 * so CONFIG GET answers what CONFIG SET stored.
 */
import { defaultOutputBufferLimits, type OutputBufferLimits } from "./outputBufferLimits.js"
import type { ServerConfig } from "./ServerConfig.js"

export class RuntimeConfig {
  port: number
  bind: string
  maxclients: number
  timeout: number
  readonly databases: number
  shutdownTimeout: number
  protoMaxBulkLen: number
  hz: number
  /** Which keyspace notifications are published (bits of `NotifyType`, src/pubsub/keyspaceEvents.ts). */
  notifyKeyspaceEvents = 0
  /** client-output-buffer-limit; the pubsub class bounds slow subscribers (src/pubsub/Hub.ts). */
  outputBufferLimits: OutputBufferLimits = defaultOutputBufferLimits()
  /** Parameters kept as Redis spells them and as CONFIG SET last set them. */
  readonly extra = new Map<string, string>([
    ["save", ""],
    ["appendonly", "no"],
    ["appendfsync", "everysec"],
    ["dir", process.cwd()],
    ["dbfilename", "dump.rdb"],
    ["maxmemory", "0"],
    ["maxmemory-policy", "noeviction"],
    ["requirepass", ""],
    ["loglevel", "notice"],
    ["tcp-keepalive", "300"],
    ["protected-mode", "yes"],
    ["lazyfree-lazy-user-del", "no"]
  ])

  constructor(config: ServerConfig) {
    this.port = config.port
    this.bind = config.bind
    this.maxclients = config.maxclients
    this.timeout = config.timeout
    this.databases = config.databases
    this.shutdownTimeout = config.shutdownTimeout
    this.protoMaxBulkLen = config.protoMaxBulkLen
    this.hz = config.hz
  }

  /** The parser's bulk limit; the parser holds this object, so CONFIG SET applies at once. */
  get maxBulkLength(): number {
    return this.protoMaxBulkLen
  }
}
