/**
 * `redis-server`-style flags (`--port 7000 --bind 0.0.0.0`), with environment fallbacks
 * (`REDFIBER_PORT`, ...) read through Effect's `Config`. Any mistake is one line for the user.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { findParameter } from "./parameters.js"
import { RuntimeConfig } from "./RuntimeConfig.js"
import { makeServerConfig, type ServerConfig, type ServerConfigInput, ServerConfigSchema } from "./ServerConfig.js"

interface FlagSpec {
  readonly field: keyof ServerConfigInput
  readonly kind: "int" | "number" | "string"
  readonly help: string
}

/** Flag name (as redis-server spells it) → config field. */
export const FLAGS: Readonly<Record<string, FlagSpec>> = {
  port: { field: "port", kind: "int", help: "TCP port (default 6379; 0 picks a free port)" },
  bind: { field: "bind", kind: "string", help: "address to listen on (default 127.0.0.1)" },
  maxclients: { field: "maxclients", kind: "int", help: "most clients connected at once (default 10000)" },
  timeout: { field: "timeout", kind: "int", help: "close clients idle this many seconds (default 0: never)" },
  databases: { field: "databases", kind: "int", help: "number of databases (default 16)" },
  "shutdown-timeout": { field: "shutdownTimeout", kind: "number", help: "seconds a shutdown waits for clients (default 10)" },
  "proto-max-bulk-len": { field: "protoMaxBulkLen", kind: "int", help: "largest bulk argument in bytes (default 512mb)" },
  hz: { field: "hz", kind: "int", help: "active expiry cycles per second (default 10)" },
  appendonly: { field: "appendonly", kind: "string", help: "yes: log writes to the append-only file (default no)" },
  appendfsync: { field: "appendfsync", kind: "string", help: "always | everysec | no (default everysec)" },
  dir: { field: "dir", kind: "string", help: "directory of the AOF and RDB files (default: current)" },
  appendfilename: { field: "appendfilename", kind: "string", help: "AOF file name (default appendonly.aof)" },
  dbfilename: { field: "dbfilename", kind: "string", help: "RDB file name (default dump.rdb)" },
  save: { field: "save", kind: "string", help: "RDB save points, \"<seconds> <changes> ...\" (default \"\": none)" },
  requirepass: { field: "requirepass", kind: "string", help: "password clients must AUTH with (default: none)" },
  aclfile: { field: "aclfile", kind: "string", help: "ACL users file, loaded at start, for ACL SAVE / LOAD (default: none)" },
  "protected-mode": { field: "protectedMode", kind: "string", help: "yes: without a password, only loopback clients (default yes)" },
  maxmemory: { field: "maxmemory", kind: "int", help: "memory limit for data, e.g. 100mb (default 0: none)" },
  "maxmemory-policy": { field: "maxmemoryPolicy", kind: "string", help: "noeviction | allkeys-lru | allkeys-lfu | allkeys-random | volatile-lru | volatile-lfu | volatile-random | volatile-ttl" },
  "maxmemory-samples": { field: "maxmemorySamples", kind: "int", help: "keys sampled per eviction round (default 5)" },
  "cluster-enabled": { field: "clusterEnabled", kind: "string", help: "yes: answer as a cluster node owning all 16384 slots (default no)" },
  "client-query-buffer-limit": { field: "clientQueryBufferLimit", kind: "int", help: "most bytes of one client's unfinished command (default 1gb)" },
  "enable-debug-command": { field: "enableDebugCommand", kind: "string", help: "yes | no | local: who may run DEBUG (default no)" },
  replicaof: { field: "replicaof", kind: "string", help: "\"<host> <port>\": start as a replica of that primary (default: none)" },
  masterauth: { field: "masterauth", kind: "string", help: "password to AUTH with to the primary (default: none)" },
  masteruser: { field: "masteruser", kind: "string", help: "user to AUTH as to the primary (default: the default user)" }
}

export class FlagError {
  readonly _tag = "FlagError"
  constructor(readonly message: string) {}
}

export const usage = (): string =>
  [
    "Usage: redfiber-server [/path/to/redis.conf] [--flag value ...]",
    "",
    "Any CONFIG parameter may also be given as --name value (or in the config file).",
    "",
    ...Object.entries(FLAGS).map(([name, spec]) =>
      `  --${name.padEnd(20)} ${spec.help} [env REDFIBER_${name.toUpperCase().replace(/-/g, "_")}]`
    ),
    "  --help                 this text",
    "  --version              the version"
  ].join("\n")

/** Redis's memory units in sizes: 1k = 1000, 1kb = 1024, ... */
const parseSize = (text: string): number | undefined => {
  const match = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(text)
  if (match === null) return undefined
  const units: Record<string, number> = { k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 }
  return Number(match[1]) * (match[2] ? units[match[2].toLowerCase()] : 1)
}

const convert = (name: string, spec: FlagSpec, raw: string): number | string | FlagError => {
  if (spec.kind === "string") return raw
  const value = spec.kind === "int" ? parseSize(raw) : Number(raw)
  if (value === undefined || raw.trim() === "" || !Number.isFinite(value)) {
    return new FlagError(`--${name} expects a ${spec.kind === "int" ? "whole number" : "number"}, got '${raw}'`)
  }
  return value
}

/** Flags → partial config; `help`/`version` when asked for. */
export const parseFlags = (argv: ReadonlyArray<string>): ServerConfigInput | FlagError | "help" | "version" => {
  const input: Record<string, unknown> = {}
  const parameters: Array<readonly [string, string]> = []
  const scratch = new RuntimeConfig(makeServerConfig())
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === "--help" || arg === "-h") return "help"
    if (arg === "--version" || arg === "-v") return "version"
    if (!arg.startsWith("--")) return new FlagError(`unexpected argument '${arg}' (flags look like --port 6379)`)
    const eq = arg.indexOf("=")
    const name = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)).toLowerCase()
    const spec = FLAGS[name]
    let raw = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    // redis-server's `--replicaof <host> <port>`: the port may come as its own argument.
    if (name === "replicaof" && raw !== undefined && /^\S+$/.test(raw) && /^\d+$/.test(argv[i + 1] ?? "")) raw += ` ${argv[++i]}`
    if (spec === undefined) {
      // Any other parameter CONFIG SET knows (--slowlog-max-len 10), checked as CONFIG SET checks it.
      const parameter = findParameter(scratch, name)
      if (parameter === undefined) return new FlagError(`unknown option '--${name}' (see --help)`)
      if (raw === undefined) return new FlagError(`--${name} needs a value`)
      const checked = parameter.set(raw, scratch, { tcpPort: 0 })
      if (typeof checked === "string") return new FlagError(`--${name}: ${checked}`)
      parameters.push([name, raw])
      continue
    }
    if (raw === undefined) return new FlagError(`--${name} needs a value`)
    const value = convert(name, spec, raw)
    if (value instanceof FlagError) return value
    input[spec.field] = value
  }
  if (parameters.length > 0) input.parameters = parameters
  return input as ServerConfigInput
}

/** Environment fallbacks for every flag not given, through Effect's `Config`. */
const fromEnvironment: Effect.Effect<ServerConfigInput, FlagError> = Effect.gen(function*() {
  const input: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(FLAGS)) {
    const envName = `REDFIBER_${name.toUpperCase().replace(/-/g, "_")}`
    const raw = yield* Config.option(Config.String(envName)).pipe(Effect.orElseSucceed(() => undefined))
    if (raw === undefined || raw._tag === "None") continue
    const value = convert(name, spec, raw.value)
    if (value instanceof FlagError) return yield* Effect.fail(new FlagError(`${envName}: ${value.message}`))
    input[spec.field] = value
  }
  return input as ServerConfigInput
})

const describeField = (field: string) =>
  Object.entries(FLAGS).find(([, spec]) => spec.field === field)?.[0] ?? field

/** Flags over environment over defaults, validated by the config Schema. */
export const resolveConfig = (flags: ServerConfigInput): Effect.Effect<ServerConfig, FlagError> =>
  Effect.gen(function*() {
    const env = yield* fromEnvironment
    const decoded = Schema.decodeUnknownResult(ServerConfigSchema, { reportInput: true })({ ...env, ...flags })
    if (Result.isSuccess(decoded)) return decoded.success
    const issue = SchemaIssue.makeFormatterStandardSchemaV1()(decoded.failure.issue).issues[0]
    const where = issue?.path?.[0] !== undefined ? `--${describeField(String(issue.path[0]))}: ` : ""
    return yield* Effect.fail(new FlagError(`${where}${issue?.message ?? "invalid configuration"}`))
  })
