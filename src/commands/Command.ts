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
import type { CommandInfo } from "../protocol/CommandInfo.js"
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

/** One entry of the command table: what the command is (CommandInfo) and what runs it. */
export interface CommandSpec extends CommandInfo {
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
