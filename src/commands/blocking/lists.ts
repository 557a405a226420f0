/**
 * The blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH (Redis 7.0's
 * blockingPopGenericCommand and blmoveGenericCommand).
 *
 * With something to pop they are their non-blocking forms, run through the list family's own
 * commands (LPOP, LMPOP, LMOVE, ...: same replies, notifications and edge cases) and logged for
 * the AOF as the pop they performed. With nothing, the client blocks on its keys
 * (src/blocking/BlockedClients.ts) and is served the same way when a list appears; inside EXEC
 * (or for a client that may not block) they answer what a timeout answers.
 */
import type { ListValue } from "../../keyspace/values/ListValue.js"
import { ERR_SYNTAX, isKeyword, LONG_MAX, rangeLong } from "../../protocol/arguments.js"
import { deprecated, command, type CommandContext, type CommandSpec, propagateAs } from "../Command.js"
import { countedKeys, keyAt, keyRange } from "../../protocol/key-specs.js"
import { listForWrite, parseEnd, WRONG_TYPE } from "../lists/shared.js"
import { parseTimeout } from "./timeout.js"

/** Runs a command of the list family on `ctx` (its reply goes to `ctx.out`). */
const runListCommand = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.server.commands.get(argv[0].toLowerCase())!.run!(ctx, argv)

/** Logs for the AOF the pop a served client performed (no command of its own is running). */
const logServed = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.keyspace.commandLog.append(ctx.db.id, argv)

/** Whether a blocking command that found nothing must answer now instead of blocking. */
export const mayNotBlock = (ctx: CommandContext): boolean => ctx.client.inExec || ctx.client.denyBlocking

const end = (fromHead: boolean) => (fromHead ? "LEFT" : "RIGHT")

/** The first of `keys` holding a list; undefined for none, `WRONG_TYPE` after replying the error. */
const firstList = (ctx: CommandContext, keys: ReadonlyArray<string>): string | undefined | typeof WRONG_TYPE => {
  for (const key of keys) {
    const list = listForWrite(ctx, key)
    if (list === WRONG_TYPE) return WRONG_TYPE
    if (list !== undefined) return key
  }
  return undefined
}

/** One element as [key, element] (BLPOP / BRPOP). */
const popWithKey = (ctx: CommandContext, key: string, fromHead: boolean): ReadonlyArray<string> => {
  const pop = [fromHead ? "LPOP" : "RPOP", key]
  ctx.out.arrayHeader(2)
  ctx.out.bulk(key)
  runListCommand(ctx, pop)
  return pop
}

/** BLPOP / BRPOP key [key ...] timeout. */
const blockingPop = (ctx: CommandContext, argv: ReadonlyArray<string>, fromHead: boolean): void => {
  const deadline = parseTimeout(ctx, argv[argv.length - 1])
  if (deadline === undefined) return
  const keys = argv.slice(1, -1)
  const found = firstList(ctx, keys)
  if (found === WRONG_TYPE) return
  if (found !== undefined) return propagateIfLogging(ctx, popWithKey(ctx, found, fromHead))
  if (mayNotBlock(ctx)) return ctx.out.nullArray()
  ctx.server.blocked.block(ctx, "list", keys, deadline, fromHead ? "blpop" : "brpop", (served, key) => {
    logServed(served, popWithKey(served, key, fromHead))
  })
}

const propagateIfLogging = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, argv)
}

/** BLMOVE / BRPOPLPUSH: LMOVE (or RPOPLPUSH) once the source holds a list. */
const blockingMove = (
  ctx: CommandContext,
  source: string,
  destination: string,
  fromHead: boolean,
  toHead: boolean,
  timeoutText: string,
  name: "blmove" | "brpoplpush"
): void => {
  const deadline = parseTimeout(ctx, timeoutText)
  if (deadline === undefined) return
  const move = name === "brpoplpush"
    ? ["RPOPLPUSH", source, destination]
    : ["LMOVE", source, destination, end(fromHead), end(toHead)]
  const list = listForWrite(ctx, source)
  if (list === WRONG_TYPE) return
  if (list !== undefined) {
    // The destination may hold another type: then nothing moves and nothing is logged.
    const dirty = ctx.keyspace.stats.dirty
    runListCommand(ctx, move)
    if (ctx.keyspace.stats.dirty !== dirty) propagateIfLogging(ctx, move)
    return
  }
  if (mayNotBlock(ctx)) return ctx.out.nullBulk()
  ctx.server.blocked.block(ctx, "list", [source], deadline, name, (served) => {
    const dirty = served.keyspace.stats.dirty
    runListCommand(served, move)
    if (served.keyspace.stats.dirty !== dirty) logServed(served, move)
  })
}

/** BLMPOP's arguments after the timeout: numkeys key... LEFT|RIGHT [COUNT count]. */
interface MpopRequest {
  readonly keys: ReadonlyArray<string>
  readonly fromHead: boolean
  readonly count: number
}

/** Parses them as LMPOP does (Redis's lmpopGenericCommand), replying the error when they are wrong. */
const parseMpop = (ctx: CommandContext, argv: ReadonlyArray<string>, numkeysAt: number): MpopRequest | undefined => {
  const keyCount = rangeLong(argv[numkeysAt], 1n, LONG_MAX, "ERR numkeys should be greater than 0")
  if (typeof keyCount === "string") return void ctx.out.error(keyCount)
  const whereAt = numkeysAt + keyCount + 1
  if (whereAt >= argv.length) return void ctx.out.error(ERR_SYNTAX)
  const fromHead = parseEnd(argv[whereAt])
  if (fromHead === undefined) return void ctx.out.error(ERR_SYNTAX)
  let count = -1
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && isKeyword(argv[i], "COUNT") && i + 1 < argv.length) {
      const parsed = rangeLong(argv[++i], 1n, LONG_MAX, "ERR count should be greater than 0")
      if (typeof parsed === "string") return void ctx.out.error(parsed)
      count = parsed
    } else {
      return void ctx.out.error(ERR_SYNTAX)
    }
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), fromHead, count: count === -1 ? 1 : count }
}

/** Up to `count` elements of `key` as [key, [elements]] (LMPOP on that key); the pop as logged. */
const mpopFrom = (ctx: CommandContext, key: string, request: MpopRequest): ReadonlyArray<string> => {
  const length = (ctx.db.get(key, ctx.now) as ListValue).length
  runListCommand(ctx, ["LMPOP", "1", key, end(request.fromHead), "COUNT", String(request.count)])
  return [request.fromHead ? "LPOP" : "RPOP", key, String(Math.min(request.count, length))]
}

const MOVE_KEYS = [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")]

const BLOCKING_LIST = { flags: ["write", "noscript", "blocking"], acl: ["write", "list", "slow", "blocking"] } as const

const blpop = command({
  name: "blpop",
  arity: -3,
  flags: BLOCKING_LIST.flags,
  firstKey: 1,
  lastKey: -2,
  step: 1,
  keySpecs: [keyRange(1, -2, 1, "RW", "access", "delete")],
  group: "list",
  aclCategories: BLOCKING_LIST.acl,
  summary: "Remove and get the first element in a list, or block until one is available",
  since: "2.0.0",
  complexity: "O(N) where N is the number of provided keys.",
  run: (ctx, argv) => blockingPop(ctx, argv, true)
})

const brpop = command({
  name: "brpop",
  arity: -3,
  flags: BLOCKING_LIST.flags,
  firstKey: 1,
  lastKey: -2,
  step: 1,
  keySpecs: [keyRange(1, -2, 1, "RW", "access", "delete")],
  group: "list",
  aclCategories: BLOCKING_LIST.acl,
  summary: "Remove and get the last element in a list, or block until one is available",
  since: "2.0.0",
  complexity: "O(N) where N is the number of provided keys.",
  run: (ctx, argv) => blockingPop(ctx, argv, false)
})

const blmove = command({
  name: "blmove",
  arity: 6,
  flags: ["write", "denyoom", "noscript", "blocking"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  keySpecs: MOVE_KEYS,
  group: "list",
  aclCategories: BLOCKING_LIST.acl,
  summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const fromHead = parseEnd(argv[3])
    if (fromHead === undefined) return ctx.out.error(ERR_SYNTAX)
    const toHead = parseEnd(argv[4])
    if (toHead === undefined) return ctx.out.error(ERR_SYNTAX)
    blockingMove(ctx, argv[1], argv[2], fromHead, toHead, argv[5], "blmove")
  }
})

const brpoplpush = command({
  name: "brpoplpush",
  ...deprecated("6.2.0", "`BLMOVE` with the `RIGHT` and `LEFT` arguments"),
  arity: 4,
  flags: ["write", "denyoom", "noscript", "blocking"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  keySpecs: MOVE_KEYS,
  group: "list",
  aclCategories: BLOCKING_LIST.acl,
  summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
  since: "2.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => blockingMove(ctx, argv[1], argv[2], false, true, argv[3], "brpoplpush")
})

const blmpop = command({
  name: "blmpop",
  arity: -5,
  flags: ["write", "blocking", "movablekeys"],
  ...countedKeys(2, "RW", "access", "delete"),
  group: "list",
  aclCategories: BLOCKING_LIST.acl,
  summary: "Pop elements from a list, or block until one is available",
  since: "7.0.0",
  complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
  run: (ctx, argv) => {
    const request = parseMpop(ctx, argv, 2)
    if (request === undefined) return
    const deadline = parseTimeout(ctx, argv[1])
    if (deadline === undefined) return
    const found = firstList(ctx, request.keys)
    if (found === WRONG_TYPE) return
    if (found !== undefined) return propagateIfLogging(ctx, mpopFrom(ctx, found, request))
    if (mayNotBlock(ctx)) return ctx.out.nullArray()
    ctx.server.blocked.block(ctx, "list", request.keys, deadline, "blmpop", (served, key) => {
      logServed(served, mpopFrom(served, key, request))
    })
  }
})

export const blockingListCommands: ReadonlyArray<CommandSpec> = [blpop, brpop, blmove, brpoplpush, blmpop]
