/**
 * The server's configuration: a Schema (so embedding apps get validation and defaults), read from
 * the environment with `Config`, and from `redis-server`-style flags by `main.ts`.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** Optional in the input (absent or undefined), `value()` when missing. */
const withDefault = <S extends Schema.Top>(schema: S, options: { readonly default: () => S["Encoded"] }) =>
  Schema.withDecodingDefault<S>(Effect.sync(options.default))(schema)

const between = (minimum: number, maximum: number) => Schema.isBetween({ minimum, maximum })
const Port = Schema.Int.check(between(0, 65535))
const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export const ServerConfigSchema = Schema.Struct({
  /** TCP port; 0 picks a free one (the bound port is in `RedisServer.address`). */
  port: withDefault(Port, { default: () => 6379 }),
  /** Address to listen on. */
  bind: withDefault(Schema.String, { default: () => "127.0.0.1" }),
  /** Connected clients allowed at once; one more gets `-ERR max number of clients reached`. */
  maxclients: withDefault(Schema.Int.check(Schema.isGreaterThan(0)), { default: () => 10000 }),
  /** Close a client idle for this many seconds (0 = never). */
  timeout: withDefault(NonNegativeInt, { default: () => 0 }),
  /** Number of databases (SELECT 0..databases-1). */
  databases: withDefault(Schema.Int.check(between(1, 1024 * 1024)), { default: () => 16 }),
  /** Seconds a graceful shutdown waits for connections to finish before interrupting them. */
  shutdownTimeout: withDefault(Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)), { default: () => 10 }),
  /** Largest bulk argument accepted, in bytes (Redis's proto-max-bulk-len). */
  protoMaxBulkLen: withDefault(Schema.Int.check(between(1024 * 1024, 512 * 1024 * 1024)), {
    default: () => 512 * 1024 * 1024
  }),
  /** Active expiry cycles per second (Redis's hz). */
  hz: withDefault(Schema.Int.check(between(1, 500)), { default: () => 10 }),
  /** Log every write to the append-only file, and replay it at start. */
  appendonly: withDefault(Schema.Literals(["yes", "no"]), { default: () => "no" as const }),
  /** When the AOF is synced to disk: before each reply, once a second, or when the OS likes. */
  appendfsync: withDefault(Schema.Literals(["always", "everysec", "no"]), { default: () => "everysec" as const }),
  /** Directory of the AOF and RDB files. */
  dir: withDefault(Schema.String, { default: () => process.cwd() }),
  appendfilename: withDefault(Schema.String.check(Schema.isPattern(/^[^/\\]+$/)), { default: () => "appendonly.aof" }),
  dbfilename: withDefault(Schema.String.check(Schema.isPattern(/^[^/\\]+$/)), { default: () => "dump.rdb" }),
  /** RDB save points, "<seconds> <changes> ..." as Redis's `save` ("" = none). */
  save: withDefault(Schema.String.check(Schema.isPattern(/^(\s*\d+\s+\d+)*\s*$/)), { default: () => "" }),
  /** "host port": start as a replica of that primary ("" = a primary). */
  replicaof: withDefault(Schema.String.check(Schema.isPattern(/^(\S+\s+\d+)?\s*$/)), { default: () => "" }),
  /** Password (and user) to AUTH with to the primary. */
  masterauth: withDefault(Schema.String, { default: () => "" }),
  masteruser: withDefault(Schema.String, { default: () => "" }),
  /** The default user's password; "" lets every client in without AUTH. */
  requirepass: withDefault(Schema.String, { default: () => "" }),
  /** ACL users file: loaded at start, written by ACL SAVE, read again by ACL LOAD ("" = none). */
  aclfile: withDefault(Schema.String, { default: () => "" }),
  /** With no password, refuse clients that do not connect from a loopback address (Redis's DENIED). */
  protectedMode: withDefault(Schema.Literals(["yes", "no"]), { default: () => "yes" as const }),
  /** Answer as a cluster node owning every slot (CLUSTER, CROSSSLOT); see src/commands/cluster.ts. */
  clusterEnabled: withDefault(Schema.Literals(["yes", "no"]), { default: () => "no" as const }),
  /** Memory limit in bytes for the data (0 = none); past it, keys are evicted or writes refused. */
  maxmemory: withDefault(NonNegativeInt, { default: () => 0 }),
  /** What happens past maxmemory. */
  maxmemoryPolicy: withDefault(
    Schema.Literals([
      "noeviction",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl"
    ]),
    { default: () => "noeviction" as const }
  ),
  /** Keys sampled per eviction round (Redis's maxmemory-samples). */
  maxmemorySamples: withDefault(Schema.Int.check(between(1, 2147483647)), { default: () => 5 }),
  /** Most bytes a client's incomplete command may hold before the client is closed. */
  clientQueryBufferLimit: withDefault(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1024 * 1024)), {
    default: () => 1024 * 1024 * 1024
  }),
  /** DEBUG: refused ("no", Redis's default), allowed ("yes"), or only from loopback ("local"). */
  enableDebugCommand: withDefault(Schema.Literals(["yes", "no", "local"]), { default: () => "no" as const }),
  /** `user <name> <rules...>` lines of the config file, as [name, ...rules], made at start (Redis's order). */
  users: withDefault(Schema.Array(Schema.Array(Schema.String)), { default: () => [] }),
  /** `rename-command` lines of the config file, as [name, new name] in order ("" removes the command). */
  renamedCommands: withDefault(Schema.Array(Schema.Tuple([Schema.String, Schema.String])), { default: () => [] }),
  /** The configuration file the server was started with (CONFIG REWRITE writes it; "" = none). */
  configFile: withDefault(Schema.String, { default: () => "" }),
  /**
   * Any other CONFIG parameter set at start (from the config file or a flag), as name and value,
   * applied in order as CONFIG SET would (src/config/configFile.ts).
   */
  parameters: withDefault(Schema.Array(Schema.Tuple([Schema.String, Schema.String])), { default: () => [] })
})

export type ServerConfig = typeof ServerConfigSchema.Type
export type ServerConfigInput = typeof ServerConfigSchema.Encoded

/** A full configuration from a partial one, with the defaults filled in; fails with the schema's SchemaError. */
export const decodeServerConfig = (input: ServerConfigInput = {}): Effect.Effect<ServerConfig, Schema.SchemaError> =>
  Schema.decodeUnknownEffect(ServerConfigSchema, { reportInput: true })(input)

/** A full configuration from a partial one, with the defaults filled in (throws on invalid input). */
export const makeServerConfig = (input: ServerConfigInput = {}): ServerConfig =>
  Schema.decodeUnknownSync(ServerConfigSchema, { reportInput: true })(input)
