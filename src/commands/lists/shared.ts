/**
 * What the list commands share: the declaration helper, lookups with Redis's type check, the one
 * place where elements enter a list, and the removal of a list that became empty.
 *
 * Every push (LPUSH, RPUSH, LPUSHX, RPUSHX and the push half of LMOVE / RPOPLPUSH) goes
 * through `pushTarget`: it creates and stores the list when the key is missing, which is exactly
 * the moment clients blocked on that key (BLPOP and friends, a later family) must hear about.
 * (LINSERT and LSET only change an existing list, which no blocked client waits for.) Keeping it
 * in one function gives them one place to hook.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { ListValue } from "../../keyspace/values/ListValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import { readKey } from "../strings/get-set.js"
import { isOption } from "../strings/shared.js"

type ListCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a command of the list family (first argument is the key unless said otherwise). */
export const listCommand = (spec: ListCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "list",
    aclCategories: [
      spec.flags.includes("write") ? "write" : "read",
      "list",
      spec.flags.includes("fast") ? "fast" : "slow"
    ]
  })

/** Returned by the lookups after they replied WRONGTYPE. */
export const WRONG_TYPE = null

/**
 * The list at `key` for a command that writes (no hit/miss counted): undefined when missing,
 * `WRONG_TYPE` after replying the error when the key holds something else.
 */
export const listForWrite = (ctx: CommandContext, key: string): ListValue | undefined | typeof WRONG_TYPE => {
  const value = ctx.db.get(key, ctx.now)
  if (value === undefined || value instanceof ListValue) return value
  ctx.out.error(WRONGTYPE)
  return WRONG_TYPE
}

/** Like `listForWrite`, for a command that reads: counts a keyspace hit or miss as Redis does. */
export const listForRead = (ctx: CommandContext, key: string): ListValue | undefined | typeof WRONG_TYPE => {
  const value = readKey(ctx, key)
  if (value === undefined || value instanceof ListValue) return value
  ctx.out.error(WRONGTYPE)
  return WRONG_TYPE
}

/**
 * The list that elements are about to be pushed into at `key`: `existing` (announced with
 * `willModify`), or a new empty list stored under `key`. The caller pushes at least one element
 * right after, before anything else can look at the key. Blocked clients hook in here.
 */
export const pushTarget = (ctx: CommandContext, key: string, existing: ListValue | undefined): ListValue => {
  if (existing !== undefined) {
    ctx.db.willModify(key)
    return existing
  }
  const list = new ListValue()
  ctx.db.set(key, list)
  return list
}

/**
 * Deletes `key` when its list has become empty (Redis never keeps an empty list), announcing
 * `del` — after the caller announced its own event, as Redis orders them.
 */
export const deleteIfEmpty = (ctx: CommandContext, key: string, list: ListValue): void => {
  if (list.length === 0) deleteAndNotify(ctx, key)
}

/** The keyspace event of a push at one end: `lpush` or `rpush`. */
export const notifyPush = (ctx: CommandContext, key: string, toHead: boolean): void =>
  notify(ctx, NotifyType.List, toHead ? "lpush" : "rpush", key)

/** The keyspace event of a pop from one end: `lpop` or `rpop`. */
export const notifyPop = (ctx: CommandContext, key: string, fromHead: boolean): void =>
  notify(ctx, NotifyType.List, fromHead ? "lpop" : "rpop", key)

/**
 * An index argument resolved against a list of `length` elements the way LINDEX / LSET do it
 * (negative counts from the end); undefined when it falls outside. `index` comes from
 * `parseSafeInteger`, so int64 extremes are clamped but still land outside.
 */
export const resolveIndex = (index: number, length: number): number | undefined => {
  const resolved = index < 0 ? length + index : index
  return resolved < 0 || resolved >= length ? undefined : resolved
}

/** LEFT / RIGHT (any case) as "the head?", or undefined for anything else. */
export const parseEnd = (arg: string): boolean | undefined =>
  isOption(arg, "left") ? true : isOption(arg, "right") ? false : undefined
