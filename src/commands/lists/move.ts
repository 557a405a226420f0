/**
 * Popping into another list or out of the first non-empty one: LMOVE, RPOPLPUSH, LMPOP.
 * The pushes go through `pushTarget` like every other push (see shared.ts). A source and
 * destination that are the same key rotate the list: the popped element goes back in at once,
 * so the list never looks empty.
 */
import { ERR_SYNTAX, isKeyword, parseSafeInteger } from "../../protocol/arguments.js"
import { deprecated, type CommandContext } from "../Command.js"
import { countedKeys, keyAt } from "../../protocol/key-specs.js"
import { deleteIfEmpty, listCommand, listForWrite, notifyPop, notifyPush, parseEnd, pushTarget, WRONG_TYPE } from "./shared.js"

/**
 * Pops from one end of `source` and pushes onto one end of `destination`; replies the element.
 * Redis announces the push before the pop (then `del` of an emptied source).
 */
const move = (ctx: CommandContext, source: string, destination: string, fromHead: boolean, toHead: boolean) => {
  const from = listForWrite(ctx, source)
  if (from === WRONG_TYPE) return
  if (from === undefined) return ctx.out.nullBulk()
  const to = listForWrite(ctx, destination)
  if (to === WRONG_TYPE) return
  ctx.db.willModify(source)
  const element = (fromHead ? from.popHead() : from.popTail()) as string
  const target = pushTarget(ctx, destination, to)
  if (toHead) target.pushHead(element)
  else target.pushTail(element)
  notifyPush(ctx, destination, toHead)
  notifyPop(ctx, source, fromHead)
  deleteIfEmpty(ctx, source, from)
  ctx.out.bulk(element)
}

const lmove = listCommand({
  name: "lmove",
  arity: 5,
  flags: ["write", "denyoom"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  keySpecs: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
  summary: "Pop an element from a list, push it to another list and return it",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const fromHead = parseEnd(argv[3])
    const toHead = parseEnd(argv[4])
    if (fromHead === undefined || toHead === undefined) return ctx.out.error(ERR_SYNTAX)
    move(ctx, argv[1], argv[2], fromHead, toHead)
  }
})

const rpoplpush = listCommand({
  name: "rpoplpush",
  ...deprecated("6.2.0", "`LMOVE` with the `RIGHT` and `LEFT` arguments"),
  arity: 3,
  flags: ["write", "denyoom"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  keySpecs: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
  summary: "Remove the last element in a list, prepend it to another list and return it",
  since: "1.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => move(ctx, argv[1], argv[2], false, true)
})

/**
 * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: from the first key holding a list, up
 * to `count` elements as [key, [elements]]; a null array when every key is missing. A key of
 * another type met before that list is WRONGTYPE.
 */
const lmpop = listCommand({
  name: "lmpop",
  arity: -4,
  flags: ["write", "movablekeys"],
  ...countedKeys(1, "RW", "access", "delete"),
  summary: "Pop elements from a list",
  since: "7.0.0",
  complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
  run: (ctx, argv) => {
    const numkeys = parseSafeInteger(argv[1])
    if (numkeys === undefined || numkeys < 1) return ctx.out.error("ERR numkeys should be greater than 0")
    const whereAt = numkeys + 2
    if (whereAt >= argv.length) return ctx.out.error(ERR_SYNTAX)
    const fromHead = parseEnd(argv[whereAt])
    if (fromHead === undefined) return ctx.out.error(ERR_SYNTAX)
    let count = -1
    for (let i = whereAt + 1; i < argv.length; i++) {
      if (count === -1 && i + 1 < argv.length && isKeyword(argv[i], "COUNT")) {
        const parsed = parseSafeInteger(argv[++i])
        if (parsed === undefined || parsed < 1) return ctx.out.error("ERR count should be greater than 0")
        count = parsed
      } else {
        return ctx.out.error(ERR_SYNTAX)
      }
    }
    if (count === -1) count = 1
    for (let i = 2; i < whereAt; i++) {
      const key = argv[i]
      const list = listForWrite(ctx, key)
      if (list === WRONG_TYPE) return
      if (list === undefined) continue
      ctx.db.willModify(key)
      const n = Math.min(count, list.length)
      const out = ctx.out
      out.arrayHeader(2)
      out.bulk(key)
      out.arrayHeader(n)
      for (let j = 0; j < n; j++) out.bulk((fromHead ? list.popHead() : list.popTail()) as string)
      notifyPop(ctx, key, fromHead)
      deleteIfEmpty(ctx, key, list)
      return
    }
    ctx.out.nullArray()
  }
})

export const moveCommands = [lmove, rpoplpush, lmpop]
