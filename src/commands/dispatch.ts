/**
 * Dispatch: finds a command in the table, checks its arity (and a container's subcommand), and
 * runs it. Error texts are Redis 7's. A command that throws (a defect) gets an error reply and
 * never takes its connection, or anyone else's, down with it.
 */
import { admissionRefusal, needsAdmission } from "../server/Admission.js"
import type { CommandContext, CommandSpec } from "./Command.js"
import { SUBSCRIBED_MODE_COMMANDS, subscribedModeError } from "./pubsub.js"

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

export const unknownCommand = (argv: ReadonlyArray<string>): string => {
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

export const executeCommand = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const spec = resolveCommand(ctx.server.commands, argv)
  if (typeof spec === "string") {
    ctx.out.error(spec)
    return
  }
  // Authentication, then memory (NOAUTH, OOM), as Redis checks them: see src/server/Admission.ts.
  if (needsAdmission(ctx)) {
    const refusal = admissionRefusal(ctx, spec)
    if (refusal !== undefined) return ctx.out.error(refusal)
  }
  // After a failed AOF write or BGSAVE, Redis refuses writes rather than lose them silently.
  if (ctx.server.writesRefused !== undefined && spec.flags.includes("write")) {
    ctx.out.error(ctx.server.writesRefused)
    return
  }
  ctx.client.lastCommand = spec.name
  // RESP2 subscribed mode: only (un)subscribing, PING, QUIT and RESET (not counted as processed).
  const pubsub = ctx.client.pubsub
  if (pubsub !== undefined && pubsub.subscribed && ctx.client.protocol === 2) {
    if (!SUBSCRIBED_MODE_COMMANDS.has(spec.name)) return ctx.out.error(subscribedModeError(spec.name))
  }
  ctx.server.stats.totalCommandsProcessed++
  const log = ctx.keyspace.commandLog
  if (log.enabled) return runLogged(ctx, spec, argv)
  runCommand(ctx, spec, argv)
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
