/**
 * What a command is: one entry of the command table. Name, arity, flags and key positions are
 * Redis's own (they are what `COMMAND INFO` reports, what arity errors check, and what key
 * extraction reads); `run` is plain synchronous code that reads its arguments and writes its reply
 * into the connection's `ReplyWriter`. No Effect runs per command: a whole batch executes inside
 * one step on the keyspace.
 */
import type { Database } from "../keyspace/Database.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import type { RedisValue } from "../keyspace/Value.js"
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import type { ClientState } from "../session/ClientState.js"
import type { ServerState } from "../server/ServerState.js"

/** The world a command sees while its batch runs. One per connection, reused for every batch. */
export interface CommandContext {
  keyspace: Keyspace
  /** The client's selected database (SELECT changes it). */
  db: Database
  /** Unix time in ms, read once per batch from Effect's `Clock` (so `TestClock` drives expiry). */
  now: number
  readonly out: ReplyWriter
  readonly client: ClientState
  readonly server: ServerState
}

export type CommandRun = (ctx: CommandContext, argv: ReadonlyArray<string>) => void

/** Redis's command flags, as `COMMAND INFO` spells them. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "no_multi"
  | "no_async_loading"
  | "allow_busy"
  | "movablekeys"
  | "asking"

/** How a command uses a key, as Redis 7's key specs (and COMMAND GETKEYSANDFLAGS) spell it. */
export type KeyFlag =
  | "RO"
  | "RW"
  | "OW"
  | "RM"
  | "access"
  | "update"
  | "insert"
  | "delete"
  | "not_key"
  | "incomplete"
  | "variable_flags"

/**
 * A Redis 7 key spec: the search for keys begins at argument `index`, then finds them either as
 * a range (`lastKey`: 0 for one key, >0 relative to the start, <0 from the end of argv; every
 * `keyStep`-th argument; `limit` 0) or after a count (`keyNumIndex` places the count relative to
 * the start, the keys begin `firstKey` after it).
 */
export interface KeySpec {
  readonly flags: ReadonlyArray<KeyFlag>
  /** Redis's note on the spec (COMMAND INFO shows it). */
  readonly notes?: string
  readonly index: number
  /**
   * How the search begins when not at `index`: after the first `keyword` from argument
   * `startFrom` on (GEORADIUS's STORE, XREAD's STREAMS), or "unknown" (SORT's BY/GET/STORE: only the command's
   * own finder places those keys).
   */
  readonly begin?:
    | { readonly kind: "keyword"; readonly keyword: string; readonly startFrom: number }
    | { readonly kind: "unknown" }
  readonly find:
    | { readonly kind: "range"; readonly lastKey: number; readonly keyStep: number; readonly limit: number }
    | { readonly kind: "keynum"; readonly keyNumIndex: number; readonly firstKey: number; readonly keyStep: number }
    | { readonly kind: "unknown" }
}

/** A key found in a command's arguments: its position in argv and how the command uses it. */
export interface KeyReference {
  readonly position: number
  readonly flags: ReadonlyArray<KeyFlag>
}

export interface CommandSpec {
  /** Lower case; a subcommand is `container|sub`, e.g. `client|setname`. */
  readonly name: string
  /** Redis arity: N means exactly N arguments including the name, -N means at least N. */
  readonly arity: number
  readonly flags: ReadonlyArray<CommandFlag>
  /** Key positions (1-based; 0 when the command takes no keys; lastKey -1 means "to the end"). */
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  /** COMMAND DOCS: group (string, generic, connection, server, ...), summary, since, complexity. */
  readonly group: string
  readonly summary: string
  readonly since: string
  readonly complexity?: string
  /** ACL categories without the '@' (COMMAND INFO shows them); derived from flags when absent. */
  readonly aclCategories?: ReadonlyArray<string>
  /** COMMAND INFO's tips (`nondeterministic_output`, `request_policy:all_shards`, ...). */
  readonly tips?: ReadonlyArray<string>
  /**
   * Where the keys are and how the command uses them (COMMAND INFO, COMMAND GETKEYS). When
   * absent, one spec without flags is made from the key positions above.
   */
  readonly keySpecs?: ReadonlyArray<KeySpec>
  /**
   * Redis's own key finder, for commands that have one: those whose keys follow a count
   * (flag movablekeys), used when the key specs cannot place the keys (a numkeys they cannot
   * read), and SET, whose key's flags depend on its arguments (variable_flags). See key-specs.ts.
   */
  readonly getKeys?: (argv: ReadonlyArray<string>) => ReadonlyArray<KeyReference>
  /** Runs the command. A container (CLIENT, CONFIG, ...) has `subcommands` instead. */
  readonly run?: CommandRun
  readonly subcommands?: ReadonlyArray<CommandSpec>
}

/** Declares a command; key positions default to "no keys". */
export const command = (
  spec: Omit<CommandSpec, "firstKey" | "lastKey" | "step"> & Partial<Pick<CommandSpec, "firstKey" | "lastKey" | "step">>
): CommandSpec => ({ firstKey: 0, lastKey: 0, step: 0, ...spec })

/** Shorthand for the key positions of a command whose only key is its first argument. */
export const FIRST_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const
/** Every argument after the name is a key (DEL, EXISTS, MGET, ...). */
export const ALL_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const

/**
 * Logs `argv` for the append-only file in place of the running command's own arguments — for
 * commands whose effect must replay without the clock or chance (relative TTLs become absolute
 * ones, ...). Call it only when `ctx.keyspace.commandLog.enabled`, so nothing is built otherwise.
 */
export const propagateAs = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.keyspace.commandLog.rewrite(ctx.db.id, argv)

/**
 * Stores a command's result at `key` (the *STORE commands) as Redis's `setKey` does: a key whose
 * time has passed is removed first, as expired (its `expired` event, then `new` for the store),
 * instead of being silently replaced. Free when no key has a TTL.
 */
export const storeResultAt = (ctx: CommandContext, key: string, value: RedisValue): void => {
  if (ctx.db.volatileCount !== 0) ctx.db.lookup(key, ctx.now)
  ctx.db.set(key, value)
}
