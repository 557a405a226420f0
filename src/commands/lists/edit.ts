/**
 * Changing a list in place: LSET, LINSERT, LREM, LTRIM. A change is announced with `willModify`
 * exactly where Redis signals the key as modified (LTRIM always does, even when it removes
 * nothing; the others only when something changed), and an emptied list is deleted.
 */
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseSafeInteger } from "../../protocol/arguments.js"
import { isOption } from "../strings/shared.js"
import { keyAt } from "../../protocol/key-specs.js"
import { deleteIfEmpty, listCommand, listForWrite, resolveIndex, WRONG_TYPE } from "./shared.js"

const lset = listCommand({
  name: "lset",
  arity: 4,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "Set the value of an element in a list by its index",
  since: "1.0.0",
  complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
  run: (ctx, argv) => {
    const key = argv[1]
    const list = listForWrite(ctx, key)
    if (list === WRONG_TYPE) return
    if (list === undefined) return ctx.out.error("ERR no such key")
    const index = parseSafeInteger(argv[2])
    if (index === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    const at = resolveIndex(index, list.length)
    if (at === undefined) return ctx.out.error("ERR index out of range")
    ctx.db.willModify(key)
    list.setAt(at, argv[3])
    notify(ctx, NotifyType.List, "lset", key)
    ctx.out.ok()
  }
})

const linsert = listCommand({
  name: "linsert",
  arity: 5,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Insert an element before or after another element in a list",
  since: "2.2.0",
  complexity:
    "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
  run: (ctx, argv) => {
    const after = isOption(argv[2], "after")
    if (!after && !isOption(argv[2], "before")) return ctx.out.error(ERR_SYNTAX)
    const key = argv[1]
    const list = listForWrite(ctx, key)
    if (list === WRONG_TYPE) return
    if (list === undefined) return ctx.out.integer(0)
    const pivot = list.indexOf(argv[3])
    if (pivot < 0) return ctx.out.integer(-1)
    ctx.db.willModify(key)
    list.insertAt(after ? pivot + 1 : pivot, argv[4])
    notify(ctx, NotifyType.List, "linsert", key)
    ctx.out.integer(list.length)
  }
})

const lrem = listCommand({
  name: "lrem",
  arity: 4,
  flags: ["write"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary: "Remove elements from a list",
  since: "1.0.0",
  complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
  run: (ctx, argv) => {
    const count = parseSafeInteger(argv[2])
    if (count === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    const key = argv[1]
    const list = listForWrite(ctx, key)
    if (list === WRONG_TYPE) return
    if (list === undefined) return ctx.out.integer(0)
    const element = argv[3]
    // Only announce a change that happens: check for a match before compacting.
    if (list.indexOf(element) < 0) return ctx.out.integer(0)
    ctx.db.willModify(key)
    const removed = list.remove(element, Math.abs(count), count < 0)
    notify(ctx, NotifyType.List, "lrem", key)
    deleteIfEmpty(ctx, key, list)
    ctx.out.integer(removed)
  }
})

const ltrim = listCommand({
  name: "ltrim",
  arity: 4,
  flags: ["write"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary: "Trim a list to the specified range",
  since: "1.0.0",
  complexity: "O(N) where N is the number of elements to be removed by the operation.",
  run: (ctx, argv) => {
    let start = parseSafeInteger(argv[2])
    let end = parseSafeInteger(argv[3])
    if (start === undefined || end === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    const key = argv[1]
    const list = listForWrite(ctx, key)
    if (list === WRONG_TYPE) return
    if (list === undefined) return ctx.out.ok()
    const length = list.length
    if (start < 0) start = Math.max(0, length + start)
    if (end < 0) end = length + end
    ctx.db.willModify(key)
    const emptied = start > end || start >= length
    if (!emptied) list.keepRange(start, Math.min(end, length - 1))
    notify(ctx, NotifyType.List, "ltrim", key)
    if (emptied) deleteAndNotify(ctx, key)
    ctx.out.ok()
  }
})

export const editCommands = [lset, linsert, lrem, ltrim]
