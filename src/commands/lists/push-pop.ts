/**
 * The ends of a list: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP (with COUNT). These are the hot
 * list commands: a lookup, O(1) per element at either end of the ring buffer, and the reply.
 */
import { parseSafeInteger } from "../../protocol/arguments.js"
import type { CommandContext } from "../Command.js"
import { wrongArity } from "../dispatch.js"
import { keyAt } from "../../protocol/key-specs.js"
import { deleteIfEmpty, listCommand, listForWrite, notifyPop, notifyPush, pushTarget, WRONG_TYPE } from "./shared.js"

const ERR_COUNT = "ERR value is out of range, must be positive"

/** LPUSH / RPUSH (and the X variants, which only push into an existing list): the new length. */
const push = (ctx: CommandContext, argv: ReadonlyArray<string>, toHead: boolean, onlyExisting: boolean): void => {
  const key = argv[1]
  const existing = listForWrite(ctx, key)
  if (existing === WRONG_TYPE) return
  if (existing === undefined && onlyExisting) return ctx.out.integer(0)
  const list = pushTarget(ctx, key, existing)
  if (toHead) for (let i = 2; i < argv.length; i++) list.pushHead(argv[i])
  else for (let i = 2; i < argv.length; i++) list.pushTail(argv[i])
  notifyPush(ctx, key, toHead)
  ctx.out.integer(list.length)
}

/**
 * LPOP / RPOP: one element as a bulk, or with a count an array of up to that many (in popping
 * order). The count is checked before the key, as in Redis; 0 gives an empty array for a list.
 */
const pop = (ctx: CommandContext, argv: ReadonlyArray<string>, fromHead: boolean): void => {
  if (argv.length > 3) return ctx.out.error(wrongArity(fromHead ? "lpop" : "rpop"))
  let count = -1
  if (argv.length === 3) {
    const parsed = parseSafeInteger(argv[2])
    if (parsed === undefined || parsed < 0) return ctx.out.error(ERR_COUNT)
    count = parsed
  }
  const key = argv[1]
  const list = listForWrite(ctx, key)
  if (list === WRONG_TYPE) return
  if (list === undefined) return count < 0 ? ctx.out.nullBulk() : ctx.out.nullArray()
  if (count === 0) return ctx.out.arrayHeader(0)
  ctx.db.willModify(key)
  if (count < 0) {
    const element = fromHead ? list.popHead() : list.popTail()
    notifyPop(ctx, key, fromHead)
    deleteIfEmpty(ctx, key, list)
    return ctx.out.bulk(element as string)
  }
  const n = Math.min(count, list.length)
  ctx.out.arrayHeader(n)
  for (let i = 0; i < n; i++) ctx.out.bulk((fromHead ? list.popHead() : list.popTail()) as string)
  notifyPop(ctx, key, fromHead)
  deleteIfEmpty(ctx, key, list)
}

const PUSH_COMPLEXITY =
  "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."

const lpush = listCommand({
  name: "lpush",
  arity: -3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Prepend one or multiple elements to a list",
  since: "1.0.0",
  complexity: PUSH_COMPLEXITY,
  run: (ctx, argv) => push(ctx, argv, true, false)
})

const rpush = listCommand({
  name: "rpush",
  arity: -3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Append one or multiple elements to a list",
  since: "1.0.0",
  complexity: PUSH_COMPLEXITY,
  run: (ctx, argv) => push(ctx, argv, false, false)
})

const lpushx = listCommand({
  name: "lpushx",
  arity: -3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Prepend an element to a list, only if the list exists",
  since: "2.2.0",
  complexity: PUSH_COMPLEXITY,
  run: (ctx, argv) => push(ctx, argv, true, true)
})

const rpushx = listCommand({
  name: "rpushx",
  arity: -3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Append an element to a list, only if the list exists",
  since: "2.2.0",
  complexity: PUSH_COMPLEXITY,
  run: (ctx, argv) => push(ctx, argv, false, true)
})

const lpop = listCommand({
  name: "lpop",
  arity: -2,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "delete")],
  summary: "Remove and get the first elements in a list",
  since: "1.0.0",
  complexity: "O(N) where N is the number of elements returned",
  run: (ctx, argv) => pop(ctx, argv, true)
})

const rpop = listCommand({
  name: "rpop",
  arity: -2,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "delete")],
  summary: "Remove and get the last elements in a list",
  since: "1.0.0",
  complexity: "O(N) where N is the number of elements returned",
  run: (ctx, argv) => pop(ctx, argv, false)
})

export const pushPopCommands = [lpush, rpush, lpushx, rpushx, lpop, rpop]
