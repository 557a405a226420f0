/**
 * BITOP AND | OR | XOR | NOT destkey srckey...: missing sources are empty strings, shorter ones
 * are padded with zero bytes; the result replaces destkey (without its TTL, a "raw" string), or
 * removes it when every source is empty. Replies the result's length.
 */
import { ERR_SYNTAX } from "../../protocol/arguments.js"
import { storeResultAt } from "../Command.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { keyAt, keysToEnd } from "../../protocol/key-specs.js"
import { isOption } from "../strings/shared.js"
import { markEditedInPlace } from "../strings/encoding.js"
import { bitmapCommand, isBitmap } from "./shared.js"

const AND = 0
const OR = 1
const XOR = 2
const NOT = 3

const operationOf = (name: string): number | undefined =>
  isOption(name, "and") ? AND : isOption(name, "or") ? OR : isOption(name, "xor") ? XOR : isOption(name, "not") ? NOT : undefined

const bitop = bitmapCommand({
  name: "bitop",
  arity: -4,
  flags: ["write", "denyoom"],
  firstKey: 2,
  lastKey: -1,
  step: 1,
  keySpecs: [keyAt(2, "OW", "update"), keysToEnd(3, 1, "RO", "access")],
  summary: "Perform bitwise operations between strings",
  since: "2.6.0",
  complexity: "O(N)",
  run: (ctx, argv) => {
    const op = operationOf(argv[1])
    if (op === undefined) return ctx.out.error(ERR_SYNTAX)
    if (op === NOT && argv.length !== 4) return ctx.out.error("ERR BITOP NOT must be called with a single source key.")
    const sources: Array<Buffer> = []
    let longest = 0
    for (let i = 3; i < argv.length; i++) {
      const value = ctx.db.getBytes(argv[i], ctx.now)
      if (value === undefined) {
        sources.push(Buffer.alloc(0))
        continue
      }
      if (!isBitmap(value)) return ctx.out.error(WRONGTYPE)
      sources.push(typeof value === "string" ? Buffer.from(value, "latin1") : value.view())
      if (value.length > longest) longest = value.length
    }
    const key = argv[2]
    if (longest === 0) {
      deleteAndNotify(ctx, key)
      return ctx.out.integer(0)
    }
    const result = Buffer.alloc(longest)
    const first = sources[0]
    if (op === NOT) {
      for (let i = 0; i < longest; i++) result[i] = ~first[i] & 0xff
    } else {
      first.copy(result)
      for (let s = 1; s < sources.length; s++) {
        const source = sources[s]
        const length = source.length
        if (op === AND) {
          for (let i = 0; i < length; i++) result[i] &= source[i]
          result.fill(0, length)
        } else if (op === OR) {
          for (let i = 0; i < length; i++) result[i] |= source[i]
        } else {
          for (let i = 0; i < length; i++) result[i] ^= source[i]
        }
      }
    }
    const text = result.latin1Slice(0, longest)
    storeResultAt(ctx, key, text)
    markEditedInPlace(ctx.db, key, text)
    notify(ctx, NotifyType.String, "set", key)
    ctx.out.integer(longest)
  }
})

export const bitopCommands = [bitop]
