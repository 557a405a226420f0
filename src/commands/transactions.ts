/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's "transactions" group).
 *
 * MULTI starts queuing: dispatch answers QUEUED for every later command, or refuses it (unknown,
 * wrong arity, no_multi, ...) and dooms the transaction. EXEC runs the queue as part of its own
 * command, so inside the batch's single synchronous step: nothing can interleave with it. Runtime
 * errors stay in EXEC's array, one per command. Blocking commands inside answer as if they had
 * timed out, and clients blocked on keys the transaction fills are served after all of it.
 *
 * WATCH registers keys with the server's watch registry (src/watches/Watches.ts); a change to any of
 * them before EXEC, or its expiry, makes EXEC answer the null array and run nothing.
 *
 * For the AOF, a transaction that wrote anything is logged between MULTI and EXEC, so a restart
 * replays all of it or (a file cut inside it) none of it.
 */
import { Transaction } from "../session/Transaction.js"
import { execRefusal } from "./acl-permissions.js"
import { command, type CommandContext, type CommandSpec } from "./Command.js"
import { keysToEnd } from "../protocol/key-specs.js"
import { discardTransaction, runCounted } from "./dispatch.js"
import { afterBusyScript, scriptWentBusy } from "./scripting/busy.js"

const CONTROL = ["noscript", "loading", "stale", "fast", "allow_busy"] as const
const CONTROL_ACL = ["fast", "transaction"]

const multi = command({
  name: "multi",
  arity: 1,
  flags: CONTROL,
  group: "transactions",
  aclCategories: CONTROL_ACL,
  summary: "Mark the start of a transaction block",
  since: "1.2.0",
  complexity: "O(1)",
  run: (ctx) => {
    if (ctx.client.transaction !== undefined) return ctx.out.error("ERR MULTI calls can not be nested")
    ctx.client.transaction = new Transaction()
    ctx.out.ok()
  }
})

const exec = command({
  name: "exec",
  arity: 1,
  flags: ["noscript", "loading", "stale", "skip_slowlog"],
  group: "transactions",
  aclCategories: ["slow", "transaction"],
  summary: "Execute all commands issued after MULTI",
  since: "1.2.0",
  complexity: "Depends on commands in the transaction",
  run: (ctx) => {
    const client = ctx.client
    const transaction = client.transaction
    if (transaction === undefined) return ctx.out.error("ERR EXEC without MULTI")
    const watches = ctx.server.watches
    if (watches.pending) watches.settle(ctx.now)
    if (watches.expiredSinceWatch(client, ctx.now)) client.watchTouched = true
    if (transaction.aborted) {
      discardTransaction(ctx)
      return ctx.out.error("EXECABORT Transaction discarded because of previous errors.")
    }
    if (client.watchTouched) {
      discardTransaction(ctx)
      return ctx.out.nullArray()
    }
    watches.unwatchAll(client)
    ctx.out.arrayHeader(transaction.commands.length)
    client.inExec = true
    ctx.keyspace.commandLog.beginTransaction()
    runQueued(ctx, transaction, 0)
  }
})

/**
 * Runs EXEC's queued commands from `from`. A script among them that runs past
 * busy-reply-threshold stops the loop: the rest runs once the script has answered (Redis runs it
 * to its end inside EXEC, answering everyone else -BUSY), and EXEC ends then.
 */
const runQueued = (ctx: CommandContext, transaction: Transaction, from: number): void => {
  const commands = transaction.commands
  let suspended = false
  try {
    for (let i = from; i < commands.length; i++) {
      const queued = commands[i]
      const refusal = execRefusal(ctx, queued.spec, queued.argv)
      if (refusal !== undefined) ctx.out.error(refusal)
      else runCounted(ctx, queued.spec, queued.argv)
      if (scriptWentBusy(ctx)) {
        suspended = true
        afterBusyScript(ctx.server, (rest) => runQueued(rest, transaction, i + 1))
        return
      }
    }
  } finally {
    if (!suspended) {
      ctx.keyspace.commandLog.endTransaction()
      ctx.client.inExec = false
      // The client stays in MULTI while its commands run (CLIENT INFO inside shows flags=x), as in Redis.
      if (ctx.client.transaction === transaction) discardTransaction(ctx)
    }
  }
}

const discard = command({
  name: "discard",
  arity: 1,
  flags: CONTROL,
  group: "transactions",
  aclCategories: CONTROL_ACL,
  summary: "Discard all commands issued after MULTI",
  since: "2.0.0",
  complexity: "O(N), when N is the number of queued commands",
  run: (ctx) => {
    if (ctx.client.transaction === undefined) return ctx.out.error("ERR DISCARD without MULTI")
    discardTransaction(ctx)
    ctx.out.ok()
  }
})

const watch = command({
  name: "watch",
  arity: -2,
  flags: CONTROL,
  firstKey: 1,
  lastKey: -1,
  step: 1,
  keySpecs: [keysToEnd(1, 1, "RO")],
  group: "transactions",
  aclCategories: CONTROL_ACL,
  summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
  since: "2.2.0",
  complexity: "O(1) for every key.",
  run: (ctx, argv) => {
    if (ctx.client.transaction !== undefined) return ctx.out.error("ERR WATCH inside MULTI is not allowed")
    // Already touched: EXEC will fail whatever else is watched.
    if (!ctx.client.watchTouched) {
      for (let i = 1; i < argv.length; i++) ctx.server.watches.watch(ctx.client, ctx.keyspace, ctx.db, argv[i], ctx.now)
    }
    ctx.out.ok()
  }
})

const unwatch = command({
  name: "unwatch",
  arity: 1,
  flags: CONTROL,
  group: "transactions",
  aclCategories: CONTROL_ACL,
  summary: "Forget about all watched keys",
  since: "2.2.0",
  complexity: "O(1)",
  run: (ctx) => {
    ctx.server.watches.unwatchAll(ctx.client)
    ctx.client.watchTouched = false
    ctx.out.ok()
  }
})

export const transactionCommands: ReadonlyArray<CommandSpec> = [multi, exec, discard, watch, unwatch]
