/**
 * The HyperLogLog command family (Redis's "hyperloglog" group): PFADD, PFCOUNT, PFMERGE here,
 * PFDEBUG and PFSELFTEST in hyperloglog/debug.ts. The values are ordinary strings in Redis's HLL
 * format (src/keyspace/hyperloglog/HyperLogLog.ts), so GET/SET move them between servers.
 */
import { propagateAs } from "./Command.js"
import type { CommandSpec } from "./Command.js"
import { debugCommands } from "./hyperloglog/debug.js"
import {
  commitHll,
  hllCommand,
  hllValueOrReply,
  openHllOrReply,
  readHllOrReply,
  storeNewHll,
  validCachedCardinality
} from "./hyperloglog/shared.js"
import { keyAt, keysToEnd, noted } from "../protocol/key-specs.js"
import {
  addElement,
  countHll,
  countRegisters,
  createHll,
  DENSE,
  ERR_CORRUPTED_HLL,
  HLL_REGISTERS,
  INT64_MIN,
  invalidateCache,
  mergeInto,
  raiseRegister,
  setCachedCardinality,
  sparseToDense
} from "../keyspace/hyperloglog/HyperLogLog.js"
import { notify, NotifyType } from "../pubsub/notify.js"

/** An estimate as an integer reply (INT64_MIN is not exact as a JS number's text). */
const asReply = (cardinality: number): number | bigint => (cardinality === INT64_MIN ? -(2n ** 63n) : cardinality)

const pfadd = hllCommand({
  name: "pfadd",
  arity: -2,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Adds the specified elements to the specified HyperLogLog.",
  since: "2.8.9",
  complexity: "O(1) to add every element.",
  run: (ctx, argv) => {
    const key = argv[1]
    const opened = openHllOrReply(ctx, key)
    if (opened === null) return
    const hll = opened?.hll ?? createHll()
    // A new key counts as a change even with no elements.
    let updated = opened === undefined ? 1 : 0
    const maxBytes = ctx.server.config.hllSparseMaxBytes
    for (let i = 2; i < argv.length; i++) {
      const result = addElement(hll, argv[i], maxBytes)
      if (result === 1) updated++
      else if (result === -1) {
        // Redis edits in place: what the earlier elements changed stays.
        if (updated > 0 && opened !== undefined) commitHll(ctx, key, opened)
        return ctx.out.error(ERR_CORRUPTED_HLL)
      }
    }
    if (updated > 0) {
      invalidateCache(hll)
      if (opened === undefined) storeNewHll(ctx, key, hll)
      else commitHll(ctx, key, opened)
      notify(ctx, NotifyType.String, "pfadd", key)
    }
    ctx.out.integer(updated > 0 ? 1 : 0)
  }
})

const pfcount = hllCommand({
  name: "pfcount",
  arity: -2,
  flags: ["readonly"],
  lastKey: -1,
  keySpecs: [
    noted(keysToEnd(1, 1, "RW", "access"), "RW because it may change the internal representation of the key, and propagate to replicas")
  ],
  summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
  since: "2.8.9",
  complexity:
    "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
  run: (ctx, argv) => {
    if (argv.length > 2) {
      // The union's estimate, from the registers' maxima; no cache is read or written.
      const max = new Uint8Array(HLL_REGISTERS)
      for (let i = 1; i < argv.length; i++) {
        const hll = readHllOrReply(ctx, argv[i])
        if (hll === null) return
        if (hll !== undefined && !mergeInto(max, hll)) return ctx.out.error(ERR_CORRUPTED_HLL)
      }
      return ctx.out.integer(asReply(countRegisters(max)))
    }
    const key = argv[1]
    const value = hllValueOrReply(ctx, key)
    if (value === null) return
    if (value === undefined) return ctx.out.integer(0)
    const cached = validCachedCardinality(value)
    if (cached !== undefined) {
      // Redis's dbUnshareStringValue: a short HLL string is then "raw".
      if (value.length <= 44) ctx.db.markEncoding(key, "raw")
      return ctx.out.integer(cached)
    }
    const opened = openHllOrReply(ctx, key)
    if (opened === null || opened === undefined) return
    const hll = opened.hll
    const cardinality = countHll(hll)
    if (cardinality === undefined) return ctx.out.error(ERR_CORRUPTED_HLL)
    // Caching the estimate writes the value: a change for WATCH, and logged so a replay has the same bytes.
    setCachedCardinality(hll, cardinality)
    commitHll(ctx, key, opened)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, argv)
    ctx.out.integer(asReply(cardinality))
  }
})

const pfmerge = hllCommand({
  name: "pfmerge",
  arity: -2,
  flags: ["write", "denyoom"],
  lastKey: -1,
  keySpecs: [keyAt(1, "RW", "access", "insert"), keysToEnd(2, 1, "RO", "access")],
  summary: "Merge N different HyperLogLogs into a single one.",
  since: "2.8.9",
  complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
  run: (ctx, argv) => {
    const max = new Uint8Array(HLL_REGISTERS)
    let useDense = false
    // The destination is merged too: it is argv[1].
    for (let i = 1; i < argv.length; i++) {
      const hll = readHllOrReply(ctx, argv[i])
      if (hll === null) return
      if (hll === undefined) continue
      if (hll.bytes[4] === DENSE) useDense = true
      if (!mergeInto(max, hll)) return ctx.out.error(ERR_CORRUPTED_HLL)
    }
    const key = argv[1]
    const opened = openHllOrReply(ctx, key)
    if (opened === null) return
    const target = opened?.hll ?? createHll()
    if (useDense && !sparseToDense(target)) return ctx.out.error(ERR_CORRUPTED_HLL)
    const maxBytes = ctx.server.config.hllSparseMaxBytes
    for (let i = 0; i < HLL_REGISTERS; i++) {
      if (max[i] !== 0) raiseRegister(target, i, max[i], maxBytes)
    }
    invalidateCache(target)
    if (opened === undefined) storeNewHll(ctx, key, target)
    else commitHll(ctx, key, opened)
    // PFMERGE announces itself as pfadd, as in Redis.
    notify(ctx, NotifyType.String, "pfadd", key)
    ctx.out.ok()
  }
})

export const hyperLogLogCommands: ReadonlyArray<CommandSpec> = [pfadd, pfcount, pfmerge, ...debugCommands]
