/**
 * Random members: SRANDMEMBER (read) and SPOP (remove), with Redis 7.0's cases for a count —
 * the whole set when it asks for as many or more, distinct picks when positive, picks with
 * repetition when negative (SRANDMEMBER). SPOP with a count that leaves few members keeps those
 * few in a freshly built set (so its encoding is decided anew, as Redis's does).
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { SetValue } from "../../keyspace/values/SetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_SYNTAX, LONG_MAX, positiveLong, rangeLong } from "../../protocol/arguments.js"
import { type CommandContext, type CommandSpec, propagateAs } from "../Command.js"
import { distinctIndexes, ERR_TOO_MANY_PICKS, MAX_REPEATED_PICKS, randomIndex } from "../random-picks.js"
import { keyAt } from "../../protocol/key-specs.js"
import { maxIntset, readSet, replyMembers, setCommand, writeSet } from "./shared.js"

/** Redis's SPOP_MOVE_STRATEGY_MUL: below remaining * 5 > count, pop one by one. */
const POP_ONE_BY_ONE = 5

const srandmemberWithCount = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const count = rangeLong(argv[2], -LONG_MAX, LONG_MAX)
  if (typeof count === "string") return ctx.out.error(count)
  const set = readSet(ctx, argv[1])
  if (set === null) return ctx.out.error(WRONGTYPE)
  if (set === undefined || count === 0) return ctx.out.arrayHeader(0)
  const out = ctx.out
  const size = set.size
  if (count < 0 || count === 1) {
    const picks = count < 0 ? -count : 1
    if (picks > MAX_REPEATED_PICKS) return out.error(ERR_TOO_MANY_PICKS)
    const memberAt = set.picker()
    out.arrayHeader(picks)
    for (let i = 0; i < picks; i++) out.bulk(memberAt(randomIndex(size)))
    return
  }
  if (count >= size) {
    const all = set.toArray()
    out.arrayHeader(size)
    for (let i = 0; i < size; i++) out.bulk(all[i])
    return
  }
  const memberAt = set.picker()
  const picked = distinctIndexes(size, count)
  out.arrayHeader(count)
  for (let i = 0; i < count; i++) out.bulk(memberAt(picked[i]))
}

const srandmember = setCommand({
  name: "srandmember",
  arity: -2,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get one or multiple random members from a set",
  since: "1.0.0",
  complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
  run: (ctx, argv) => {
    if (argv.length === 3) return srandmemberWithCount(ctx, argv)
    if (argv.length > 3) return ctx.out.error(ERR_SYNTAX)
    const set = readSet(ctx, argv[1])
    if (set === null) return ctx.out.error(WRONGTYPE)
    if (set === undefined) return ctx.out.nullBulk()
    ctx.out.bulk(set.memberAt(randomIndex(set.size)))
  }
})

const spopWithCount = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const count = positiveLong(argv[2])
  if (typeof count === "string") return ctx.out.error(count)
  const key = argv[1]
  const set = writeSet(ctx, key)
  if (set === null) return ctx.out.error(WRONGTYPE)
  if (set === undefined || count === 0) return ctx.out.setHeader(0)
  const size = set.size
  const db = ctx.db
  const logged = ctx.keyspace.commandLog.enabled
  // Redis announces `spop` before popping, whichever way it then pops.
  notify(ctx, NotifyType.Set, "spop", key)
  if (count >= size) {
    replyMembers(ctx, set.toArray())
    deleteAndNotify(ctx, key)
    if (logged) propagateAs(ctx, ["DEL", key])
    return
  }
  const remaining = size - count
  if (remaining * POP_ONE_BY_ONE > count) {
    db.willModify(key)
    ctx.out.setHeader(count)
    const popped: Array<string> = []
    for (let i = 0; i < count; i++) {
      const member = set.removeAt(randomIndex(set.size))
      ctx.out.bulk(member)
      if (logged) popped.push(member)
    }
    if (logged) propagatePopped(ctx, key, popped)
    return
  }
  // Few remain: they move to a new set (encoded afresh) and the rest is the reply.
  db.willModify(key)
  const kept: Array<string> = []
  for (let i = 0; i < remaining; i++) kept.push(set.removeAt(randomIndex(set.size)))
  const popped = set.toArray()
  replyMembers(ctx, popped)
  if (logged) propagatePopped(ctx, key, popped)
  db.setKeepTtl(key, SetValue.of(kept, maxIntset(ctx)))
}

/** A random pop replays as the removal of the members it happened to pick. */
const propagatePopped = (ctx: CommandContext, key: string, members: ReadonlyArray<string>): void => {
  for (let from = 0; from < members.length; from += 1024) propagateAs(ctx, ["SREM", key, ...members.slice(from, from + 1024)])
}

const spop = setCommand({
  name: "spop",
  arity: -2,
  flags: ["write", "fast"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RW", "access", "delete")],
  summary: "Remove and return one or multiple random members from a set",
  since: "1.0.0",
  complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
  run: (ctx, argv) => {
    if (argv.length === 3) return spopWithCount(ctx, argv)
    if (argv.length > 3) return ctx.out.error(ERR_SYNTAX)
    const key = argv[1]
    const set = writeSet(ctx, key)
    if (set === null) return ctx.out.error(WRONGTYPE)
    if (set === undefined) return ctx.out.nullBulk()
    ctx.db.willModify(key)
    const member = set.removeAt(randomIndex(set.size))
    notify(ctx, NotifyType.Set, "spop", key)
    if (set.size === 0) deleteAndNotify(ctx, key)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["SREM", key, member])
    ctx.out.bulk(member)
  }
})

export const randomCommands: ReadonlyArray<CommandSpec> = [spop, srandmember]
