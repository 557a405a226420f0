/**
 * A whole hash at once: HKEYS, HVALS, HGETALL. HGETALL is a map (RESP3's map type, a flat array
 * in RESP2). The order is the Map's insertion order, which is a listpack's order; a "hashtable"
 * hash in Redis answers in its own hash order, which nothing may rely on.
 */
import { keyAt } from "../../protocol/key-specs.js"
import { hashCommand, hashForRead, WRONG_TYPE } from "./shared.js"

const hkeys = hashCommand({
  name: "hkeys",
  arity: 2,
  flags: ["readonly"],
  tips: ["nondeterministic_output_order"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get all the fields in a hash",
  since: "2.0.0",
  complexity: "O(N) where N is the size of the hash.",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    if (hash === undefined) return ctx.out.arrayHeader(0)
    const out = ctx.out
    out.arrayHeader(hash.size)
    for (const field of hash.fields.keys()) out.bulk(field)
  }
})

const hvals = hashCommand({
  name: "hvals",
  arity: 2,
  flags: ["readonly"],
  tips: ["nondeterministic_output_order"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get all the values in a hash",
  since: "2.0.0",
  complexity: "O(N) where N is the size of the hash.",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    if (hash === undefined) return ctx.out.arrayHeader(0)
    const out = ctx.out
    out.arrayHeader(hash.size)
    for (const value of hash.fields.values()) out.bulk(value)
  }
})

const hgetall = hashCommand({
  name: "hgetall",
  arity: 2,
  flags: ["readonly"],
  tips: ["nondeterministic_output_order"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get all the fields and values in a hash",
  since: "2.0.0",
  complexity: "O(N) where N is the size of the hash.",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    if (hash === undefined) return ctx.out.mapHeader(0)
    const out = ctx.out
    out.mapHeader(hash.size)
    for (const [field, value] of hash.fields) {
      out.bulk(field)
      out.bulk(value)
    }
  }
})

export const wholeHashCommands = [hkeys, hvals, hgetall]
