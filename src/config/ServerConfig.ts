/**
 * The server's configuration: a Schema (so embedding apps get validation and defaults), read from
 * the environment with `Config`, and from `redis-server`-style flags by `main.ts`.
 */
import type * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const Port = Schema.Int.pipe(Schema.between(0, 65535))
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())

export const ServerConfigSchema = Schema.Struct({
  /** TCP port; 0 picks a free one (the bound port is in `RedisServer.address`). */
  port: Schema.optionalWith(Port, { default: () => 6379 }),
  /** Address to listen on. */
  bind: Schema.optionalWith(Schema.String, { default: () => "127.0.0.1" }),
  /** Connected clients allowed at once; one more gets `-ERR max number of clients reached`. */
  maxclients: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 10000 }),
  /** Close a client idle for this many seconds (0 = never). */
  timeout: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  /** Number of databases (SELECT 0..databases-1). */
  databases: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1024 * 1024)), { default: () => 16 }),
  /** Seconds a graceful shutdown waits for connections to finish before interrupting them. */
  shutdownTimeout: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 10 }),
  /** Largest bulk argument accepted, in bytes (Redis's proto-max-bulk-len). */
  protoMaxBulkLen: Schema.optionalWith(Schema.Int.pipe(Schema.between(1024 * 1024, 512 * 1024 * 1024)), {
    default: () => 512 * 1024 * 1024
  }),
  /** Active expiry cycles per second (Redis's hz). */
  hz: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 500)), { default: () => 10 }),
  /** Log every write to the append-only file, and replay it at start. */
  appendonly: Schema.optionalWith(Schema.Literal("yes", "no"), { default: () => "no" as const }),
  /** When the AOF is synced to disk: before each reply, once a second, or when the OS likes. */
  appendfsync: Schema.optionalWith(Schema.Literal("always", "everysec", "no"), { default: () => "everysec" as const }),
  /** Directory of the AOF and RDB files. */
  dir: Schema.optionalWith(Schema.String, { default: () => process.cwd() }),
  appendfilename: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^[^/\\]+$/)), { default: () => "appendonly.aof" }),
  dbfilename: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^[^/\\]+$/)), { default: () => "dump.rdb" }),
  /** RDB save points, "<seconds> <changes> ..." as Redis's `save` ("" = none). */
  save: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^(\s*\d+\s+\d+)*\s*$/)), { default: () => "" }),
  /** "host port": start as a replica of that primary ("" = a primary). */
  replicaof: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^(\S+\s+\d+)?\s*$/)), { default: () => "" }),
  /** Password (and user) to AUTH with to the primary. */
  masterauth: Schema.optionalWith(Schema.String, { default: () => "" }),
  masteruser: Schema.optionalWith(Schema.String, { default: () => "" }),
  /** The default user's password; "" lets every client in without AUTH. */
  requirepass: Schema.optionalWith(Schema.String, { default: () => "" }),
  /** ACL users file: loaded at start, written by ACL SAVE, read again by ACL LOAD ("" = none). */
  aclfile: Schema.optionalWith(Schema.String, { default: () => "" }),
  /** With no password, refuse clients that do not connect from a loopback address (Redis's DENIED). */
  protectedMode: Schema.optionalWith(Schema.Literal("yes", "no"), { default: () => "yes" as const }),
  /** Answer as a cluster node owning every slot (CLUSTER, CROSSSLOT); see src/commands/cluster.ts. */
  clusterEnabled: Schema.optionalWith(Schema.Literal("yes", "no"), { default: () => "no" as const }),
  /** Memory limit in bytes for the data (0 = none); past it, keys are evicted or writes refused. */
  maxmemory: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  /** What happens past maxmemory. */
  maxmemoryPolicy: Schema.optionalWith(
    Schema.Literal(
      "noeviction",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl"
    ),
    { default: () => "noeviction" as const }
  ),
  /** Keys sampled per eviction round (Redis's maxmemory-samples). */
  maxmemorySamples: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 2147483647)), { default: () => 5 }),
  /** Most bytes a client's incomplete command may hold before the client is closed. */
  clientQueryBufferLimit: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1024 * 1024)), {
    default: () => 1024 * 1024 * 1024
  }),
  /** DEBUG: refused ("no", Redis's default), allowed ("yes"), or only from loopback ("local"). */
  enableDebugCommand: Schema.optionalWith(Schema.Literal("yes", "no", "local"), { default: () => "no" as const }),
  /** `user <name> <rules...>` lines of the config file, as [name, ...rules], made at start (Redis's order). */
  users: Schema.optionalWith(Schema.Array(Schema.Array(Schema.String)), { default: () => [] }),
  /** `rename-command` lines of the config file, as [name, new name] in order ("" removes the command). */
  renamedCommands: Schema.optionalWith(Schema.Array(Schema.Tuple(Schema.String, Schema.String)), { default: () => [] }),
  /** The configuration file the server was started with (CONFIG REWRITE writes it; "" = none). */
  configFile: Schema.optionalWith(Schema.String, { default: () => "" }),
  /**
   * Any other CONFIG parameter set at start (from the config file or a flag), as name and value,
   * applied in order as CONFIG SET would (src/config/configFile.ts).
   */
  parameters: Schema.optionalWith(Schema.Array(Schema.Tuple(Schema.String, Schema.String)), { default: () => [] })
})

export type ServerConfig = typeof ServerConfigSchema.Type
export type ServerConfigInput = typeof ServerConfigSchema.Encoded

/** A full configuration from a partial one, with the defaults filled in; fails with the schema's ParseError. */
export const decodeServerConfig = (input: ServerConfigInput = {}): Effect.Effect<ServerConfig, ParseResult.ParseError> =>
  Schema.decodeUnknown(ServerConfigSchema)(input)

/** A full configuration from a partial one, with the defaults filled in (throws on invalid input). */
export const makeServerConfig = (input: ServerConfigInput = {}): ServerConfig =>
  Schema.decodeUnknownSync(ServerConfigSchema)(input)
