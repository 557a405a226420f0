/**
 * Dispatch: finds a command in the table, checks its arity (and a container's subcommand), and
 * runs it — or, between MULTI and EXEC, queues it. Checks and their order are Redis 7.0's
 * processCommand: a command refused while queuing dooms the transaction (EXECABORT), and a
 * refused EXEC discards it. A command that throws (a defect) gets an error reply and never takes
 * its connection, or anyone else's, down with it.
 */
import {
  admissionMemoryRefusal,
  authenticationRefusal,
  needsAuthentication,
  needsMemoryAdmission
} from "./admission.js"
import { crossSlotRefusal } from "./cluster.js"
import { aclRefusal } from "./acl-permissions.js"
import type { CommandContext, CommandSpec } from "./Command.js"
import { DEBUG_REFUSED, debugAllowed } from "./server/operator.js"
import { SUBSCRIBED_MODE_COMMANDS, subscribedModeError } from "./pubsub.js"
import { busyRefusal } from "./scripting/busy.js"
import type { Transaction } from "../session/Transaction.js"

/** Arity as Redis defines it: N exactly, or -N at least. */
export const arityAccepts = (arity: number, argc: number): boolean => (arity >= 0 ? argc === arity : argc >= -arity)

export const wrongArity = (name: string) => `ERR wrong number of arguments for '${name}' command`

/** Redis's `'%.128s'` truncation of names echoed in errors. */
const clip = (text: string) => (text.length > 128 ? text.slice(0, 128) : text)

/** Redis formats these with `%s`: a NUL byte ends the text. */
const cString = (text: string) => {
  const nul = text.indexOf("\0")
  return nul < 0 ? text : text.slice(0, nul)
}

const unknownCommand = (argv: ReadonlyArray<string>): string => {
  let args = ""
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cString(argv[i]).slice(0, 128 - args.length)}' `
  }
  return `ERR unknown command '${clip(cString(argv[0]))}', with args beginning with: ${args}`
}

/** How many names as sent `nameCache` keeps before it starts over (so junk names cannot grow it). */
const NAME_CACHE_LIMIT = 256
/** The command table `nameCache` belongs to (tests build their own tables). */
let nameCacheTable: ReadonlyMap<string, CommandSpec> | undefined = undefined
/**
 * Command names exactly as clients send them (`SET`, `get`, ...) to their specs: the usual lookup
 * is then one Map get without `toLowerCase`'s new string (~10 ns less per command, measured).
 */
let nameCache = new Map<string, CommandSpec>()

/** The command called `name` in any case, or undefined. */
const findCommand = (commands: ReadonlyMap<string, CommandSpec>, name: string): CommandSpec | undefined => {
  if (commands !== nameCacheTable) {
    nameCacheTable = commands
    nameCache = new Map()
  }
  const cached = nameCache.get(name)
  if (cached !== undefined) return cached
  const spec = commands.get(name.toLowerCase())
  if (spec === undefined) return undefined
  if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear()
  nameCache.set(name, spec)
  return spec
}

/** The command `argv` names, or the error to reply with. */
export const resolveCommand = (
  commands: ReadonlyMap<string, CommandSpec>,
  argv: ReadonlyArray<string>
): CommandSpec | string => {
  const spec = findCommand(commands, argv[0])
  if (spec === undefined) return unknownCommand(argv)
  if (!arityAccepts(spec.arity, argv.length)) return wrongArity(spec.name)
  if (spec.subcommands === undefined) return spec
  // A container that also runs bare (COMMAND with no subcommand).
  if (argv.length === 1 && spec.run !== undefined) return spec
  const fullName = `${spec.name}|${argv[1].toLowerCase()}`
  const sub = spec.subcommands.find((candidate) => candidate.name === fullName)
  if (sub === undefined) {
    return `ERR unknown subcommand '${clip(cString(argv[1]))}'. Try ${cString(argv[0]).toUpperCase()} HELP.`
  }
  if (!arityAccepts(sub.arity, argv.length)) return wrongArity(sub.name)
  return sub
}

/** Commands a transaction runs at once instead of queuing (Redis's list). */
const TRANSACTION_CONTROL: ReadonlySet<string> = new Set(["exec", "discard", "multi", "watch", "quit", "reset"])

export const executeCommand = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const spec = resolveCommand(ctx.server.commands, argv)
  if (typeof spec === "string") {
    return reject(ctx, argv[0].toLowerCase() === "exec", spec, rejectedCommand(ctx.server.commands, argv))
  }
  // DEBUG only where enable-debug-command allows it (Redis's protected commands).
  if (spec.name === "debug" && !debugAllowed(ctx)) return reject(ctx, false, DEBUG_REFUSED, spec)
  const client = ctx.client
  const transaction = client.transaction
  if (transaction !== undefined && spec.flags.includes("no_multi")) {
    return reject(ctx, false, "ERR Command not allowed inside a transaction", spec)
  }
  // Authentication, ACLs, cluster slots, then memory (NOAUTH, NOPERM, ..., OOM): Redis's order, see
  // src/commands/admission.ts. Refused inside MULTI, they doom the transaction; a refused EXEC discards it.
  if (needsAuthentication(ctx)) {
    const refusal = authenticationRefusal(ctx, spec)
    if (refusal !== undefined) return reject(ctx, spec.name === "exec", refusal, spec)
  }
  client.lastCommand = spec.name
  // ACLs: nothing more to check for a user allowed everything (the default one, as configured).
  const user = client.user
  if (user !== undefined && !user.unrestricted) {
    const refusal = aclRefusal(ctx, user, spec, argv)
    if (refusal !== undefined) return reject(ctx, spec.name === "exec", refusal, spec)
  }
  // Cluster mode: every key of a command (or of a transaction, at EXEC) in one slot.
  if (ctx.server.config.clusterEnabled) {
    const refusal = crossSlotRefusal(ctx, spec, argv)
    if (refusal !== undefined) {
      // A refused EXEC ends the transaction with the plain error (Redis does not say EXECABORT here).
      if (spec.name === "exec") discardTransaction(ctx)
      return reject(ctx, false, refusal, spec)
    }
  }
  if (needsMemoryAdmission(ctx)) {
    const refusal = admissionMemoryRefusal(ctx, spec)
    if (refusal !== undefined) return reject(ctx, spec.name === "exec", refusal, spec)
  }
  // After a failed AOF write or BGSAVE, Redis refuses writes rather than lose them silently
  // (EXEC too, when it would run one).
  if (
    ctx.server.writesRefused !== undefined &&
    (spec.flags.includes("write") || (spec.name === "exec" && transaction?.queues("write") === true))
  ) {
    return reject(ctx, spec.name === "exec", ctx.server.writesRefused, spec)
  }
  // Replication's refusals (NOREPLICAS, READONLY, MASTERDOWN): src/replication/Replication.ts.
  const replication = ctx.server.replication
  if (replication !== undefined && replication.guardsCommands) {
    const isExec = spec.name === "exec" && transaction !== undefined
    const writes = spec.flags.includes("write") || (isExec && transaction.queues("write"))
    const stale = spec.flags.includes("stale") && !(isExec && transaction.commands.some((queued) => !queued.spec.flags.includes("stale")))
    const refusal = replication.refusal(client, writes, stale)
    if (refusal !== undefined) return reject(ctx, spec.name === "exec", refusal, spec)
  }
  // RESP2 subscribed mode: only (un)subscribing, PING, QUIT and RESET (not counted as processed).
  const pubsub = client.pubsub
  if (pubsub !== undefined && pubsub.subscribed && client.protocol === 2) {
    if (!SUBSCRIBED_MODE_COMMANDS.has(spec.name)) {
      return reject(ctx, spec.name === "exec", subscribedModeError(spec.name), spec)
    }
  }
  // A MONITOR client is a replica to Redis: it may not touch the keyspace.
  if (client.monitor && touchesKeyspace(spec)) {
    return reject(ctx, spec.name === "exec", "ERR Replica can't interact with the keyspace", spec)
  }
  // A replica loading its primary's snapshot: only commands flagged `loading` (an EXEC, when all it queued are).
  if (replication?.loading !== undefined && client.remote && refusedWhileLoading(spec, transaction)) {
    return reject(ctx, spec.name === "exec", LOADING, spec)
  }
  // A script running past busy-reply-threshold: only allow_busy commands (SCRIPT KILL, ...).
  const busy = busyRefusal(ctx.server, spec)
  if (busy !== undefined) return reject(ctx, spec.name === "exec", busy, spec)
  if (transaction !== undefined && !TRANSACTION_CONTROL.has(spec.name)) {
    // A transaction already doomed keeps nothing (Redis's queueMultiCommand), but still answers QUEUED.
    if (!transaction.aborted && !client.watchTouched) transaction.queue(spec, argv)
    return ctx.out.raw("+QUEUED\r\n")
  }
  runCounted(ctx, spec, argv)
}

/**
 * Whether `argv` must wait for CLIENT PAUSE to end (checked by the connection before running it,
 * only while a pause is on): every command under ALL; under WRITE those that may replicate (a
 * write, PUBLISH, EVAL, ...), queued ones included, and an EXEC that would run one. A command
 * that is refused anyway (unknown, wrong arity) is answered at once.
 */
export const waitsForPause = (ctx: CommandContext, argv: ReadonlyArray<string>): boolean => {
  const pause = ctx.server.observability.pause
  if (!pause.isPaused(ctx.now)) {
    pause.until = 0
    return false
  }
  // A MONITOR client is a replica to Redis, and replicas are never paused.
  if (ctx.client.monitor) return false
  if (pause.mode === "all") return true
  const spec = resolveCommand(ctx.server.commands, argv)
  if (typeof spec === "string") return false
  if (maybeReplicates(spec)) return true
  const transaction = ctx.client.transaction
  return spec.name === "exec" && transaction !== undefined &&
    transaction.commands.some((queued) => maybeReplicates(queued.spec))
}

/**
 * Commands Redis 7.0 flags MAY_REPLICATE (COMMAND INFO does not show it): CLIENT PAUSE WRITE
 * holds them as it holds writes.
 */
const MAY_REPLICATE: ReadonlySet<string> = new Set([
  "publish",
  "spublish",
  "pfcount",
  "eval",
  "evalsha",
  "eval_ro",
  "evalsha_ro",
  "fcall",
  "fcall_ro"
])

const maybeReplicates = (spec: CommandSpec): boolean =>
  spec.flags.includes("write") || spec.flags.includes("may_replicate") || MAY_REPLICATE.has(spec.name)

const LOADING = "LOADING Redis is loading the dataset in memory"

const refusedWhileLoading = (spec: CommandSpec, transaction: Transaction | undefined): boolean =>
  !spec.flags.includes("loading") ||
  (spec.name === "exec" && transaction !== undefined && transaction.commands.some((queued) => !queued.spec.flags.includes("loading")))

/** Redis's is_write / is_read / is_may_replicate commands. */
const touchesKeyspace = (spec: CommandSpec): boolean =>
  spec.flags.includes("write") || spec.flags.includes("readonly") || spec.flags.includes("may_replicate")

/** The command a refused `argv` names, when there is one (its rejected_calls count the refusal). */
const rejectedCommand = (commands: ReadonlyMap<string, CommandSpec>, argv: ReadonlyArray<string>) => {
  const spec = findCommand(commands, argv[0])
  if (spec === undefined || spec.subcommands === undefined || argv.length < 2) return spec
  const fullName = `${spec.name}|${argv[1].toLowerCase()}`
  // An unknown subcommand is no command at all (Redis counts it nowhere).
  return spec.subcommands.find((candidate) => candidate.name === fullName)
}

/**
 * Runs a command that passed dispatch's checks (EXEC runs its queued commands this way), then what
 * waits for the end of a command: watched keys settle, and blocked clients whose keys became
 * ready are served (after EXEC's whole transaction for the commands inside it). Its duration,
 * errors and arguments go to the server's observability (INFO commandstats, SLOWLOG, MONITOR).
 */
export const runCounted = (ctx: CommandContext, spec: CommandSpec, argv: ReadonlyArray<string>): void => {
  const server = ctx.server
  server.stats.totalCommandsProcessed++
  const tracking = server.tracking
  if (tracking.enabled) tracking.begin(ctx)
  const observability = server.observability
  const out = ctx.out
  const errorsBefore = out.errorCount
  const nestedBefore = observability.nestedErrors
  observability.nestedErrors = 0
  const started = observability.commandStarts(ctx, spec, argv)
  if (ctx.keyspace.commandLog.enabled) runLogged(ctx, spec, argv)
  else runCommand(ctx, spec, argv)
  observability.commandRan(spec, argv, ctx.client, out, ctx.db.id, started, out.errorCount - errorsBefore, out.lastError)
  observability.nestedErrors = nestedBefore + out.errorCount - errorsBefore
  // Client-side caching: keys read are remembered, invalidations for this client follow its reply.
  if (tracking.enabled) tracking.end(ctx, spec, argv)
  if (server.watches.pending) server.watches.settle(ctx.now)
  if (server.blocked.pending) server.blocked.afterCommand(ctx)
}

/**
 * A command refused before it ran (Redis's rejectCommand): inside MULTI it dooms the transaction;
 * a refused EXEC discards it, and says why. The refusal counts in the command's rejected_calls.
 */
const reject = (ctx: CommandContext, isExec: boolean, error: string, spec: CommandSpec | undefined): void => {
  const client = ctx.client
  ctx.server.observability.rejected(spec, error)
  if (client.transaction !== undefined) client.transaction.aborted = true
  if (!isExec) return ctx.out.error(error)
  discardTransaction(ctx)
  ctx.out.error(`EXECABORT Transaction discarded because of: ${error.startsWith("ERR ") ? error.slice(4) : error}`)
}

/** Ends the client's transaction and its WATCHes (EXEC, DISCARD, RESET, a refused EXEC). */
export const discardTransaction = (ctx: CommandContext): void => {
  ctx.client.transaction = undefined
  ctx.client.watchTouched = false
  ctx.server.watches.unwatchAll(ctx.client)
}

const runCommand = (ctx: CommandContext, spec: CommandSpec, argv: ReadonlyArray<string>): void => {
  const mark = ctx.out.size
  try {
    spec.run!(ctx, argv)
  } catch (defect) {
    // Replace whatever part of a reply the command wrote with one error.
    ctx.out.truncate(mark)
    ctx.out.error(`ERR internal error in '${spec.name}': ${defect instanceof Error ? defect.message : String(defect)}`)
  }
  // Collections changed in place: their new size estimates into the memory totals.
  const memory = ctx.keyspace.memory
  if (memory.hasPending) memory.settle()
}

/** With persistence on: a write command that changed the keyspace goes into the command log. */
const runLogged = (ctx: CommandContext, spec: CommandSpec, argv: ReadonlyArray<string>): void => {
  const log = ctx.keyspace.commandLog
  const dirtyBefore = ctx.keyspace.stats.dirty
  const db = ctx.db.id
  log.beginCommand()
  runCommand(ctx, spec, argv)
  if (spec.flags.includes("write")) log.endCommand(db, argv, ctx.keyspace.stats.dirty !== dirtyBefore)
}
