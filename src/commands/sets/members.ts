/**
 * Single-set membership: SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS, and SMOVE between
 * two sets. SADD and SISMEMBER are hot paths: a Map lookup or two, no allocation beyond the
 * new set itself.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { SetValue } from "../../keyspace/values/SetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import type { CommandSpec } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { maxIntset, readSet, replyMembers, setCommand, writeSet } from "./shared.js"

const sadd = setCommand({
  name: "sadd",
  arity: -3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Add one or more members to a set",
  since: "1.0.0",
  complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
  run: (ctx, argv) => {
    const key = argv[1]
    const db = ctx.db
    const found = db.get(key, ctx.now)
    const limit = maxIntset(ctx)
    let added = 0
    if (found === undefined) {
      const set = new SetValue()
      for (let i = 2; i < argv.length; i++) if (set.add(argv[i], limit)) added++
      db.set(key, set)
      notify(ctx, NotifyType.Set, "sadd", key)
    } else if (found instanceof SetValue) {
      for (let i = 2; i < argv.length; i++) {
        const member = argv[i]
        if (found.has(member)) continue
        if (added === 0) db.willModify(key)
        found.insertAbsent(member, limit)
        added++
      }
      if (added > 0) notify(ctx, NotifyType.Set, "sadd", key)
    } else {
      return ctx.out.error(WRONGTYPE)
    }
    ctx.out.integer(added)
  }
})

const srem = setCommand({
  name: "srem",
  arity: -3,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary: "Remove one or more members from a set",
  since: "1.0.0",
  complexity: "O(N) where N is the number of members to be removed.",
  run: (ctx, argv) => {
    const key = argv[1]
    const set = writeSet(ctx, key)
    if (set === null) return ctx.out.error(WRONGTYPE)
    let removed = 0
    if (set !== undefined) {
      for (let i = 2; i < argv.length; i++) {
        if (!set.has(argv[i])) continue
        if (removed === 0) ctx.db.willModify(key)
        set.remove(argv[i])
        removed++
        if (set.size === 0) break
      }
      if (removed > 0) {
        notify(ctx, NotifyType.Set, "srem", key)
        if (set.size === 0) deleteAndNotify(ctx, key)
      }
    }
    ctx.out.integer(removed)
  }
})

const sismember = setCommand({
  name: "sismember",
  arity: 3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Determine if a given value is a member of a set",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const set = readSet(ctx, argv[1])
    if (set === null) return ctx.out.error(WRONGTYPE)
    ctx.out.integer(set !== undefined && set.has(argv[2]) ? 1 : 0)
  }
})

const smismember = setCommand({
  name: "smismember",
  arity: -3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Returns the membership associated with the given elements for a set",
  since: "6.2.0",
  complexity: "O(N) where N is the number of elements being checked for membership",
  run: (ctx, argv) => {
    const set = readSet(ctx, argv[1])
    if (set === null) return ctx.out.error(WRONGTYPE)
    ctx.out.arrayHeader(argv.length - 2)
    for (let i = 2; i < argv.length; i++) ctx.out.integer(set !== undefined && set.has(argv[i]) ? 1 : 0)
  }
})

const scard = setCommand({
  name: "scard",
  arity: 2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Get the number of members in a set",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const set = readSet(ctx, argv[1])
    if (set === null) return ctx.out.error(WRONGTYPE)
    ctx.out.integer(set === undefined ? 0 : set.size)
  }
})

const smembers = setCommand({
  name: "smembers",
  arity: 2,
  flags: ["readonly"],
  tips: ["nondeterministic_output_order"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get all the members in a set",
  since: "1.0.0",
  complexity: "O(N) where N is the set cardinality.",
  run: (ctx, argv) => {
    const set = readSet(ctx, argv[1])
    if (set === null) return ctx.out.error(WRONGTYPE)
    if (set === undefined) return ctx.out.setHeader(0)
    replyMembers(ctx, set.toArray())
  }
})

/** Redis's order: source missing → 0 (whatever the destination is), then both types, then the move. */
const smove = setCommand({
  name: "smove",
  arity: 4,
  flags: ["write", "fast"],
  lastKey: 2,
  keySpecs: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
  summary: "Move a member from one set to another",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const [, sourceKey, destinationKey, member] = argv
    const source = writeSet(ctx, sourceKey)
    const destination = writeSet(ctx, destinationKey)
    if (source === undefined) return ctx.out.integer(0)
    if (source === null || destination === null) return ctx.out.error(WRONGTYPE)
    if (source === destination) return ctx.out.integer(source.has(member) ? 1 : 0)
    if (!source.has(member)) return ctx.out.integer(0)
    ctx.db.willModify(sourceKey)
    source.remove(member)
    notify(ctx, NotifyType.Set, "srem", sourceKey)
    if (source.size === 0) deleteAndNotify(ctx, sourceKey)
    if (destination === undefined) {
      const created = new SetValue()
      created.add(member, maxIntset(ctx))
      ctx.db.set(destinationKey, created)
      notify(ctx, NotifyType.Set, "sadd", destinationKey)
    } else if (!destination.has(member)) {
      ctx.db.willModify(destinationKey)
      destination.add(member, maxIntset(ctx))
      notify(ctx, NotifyType.Set, "sadd", destinationKey)
    }
    ctx.out.integer(1)
  }
})

export const memberCommands: ReadonlyArray<CommandSpec> = [sadd, srem, sismember, smismember, scard, smembers, smove]
