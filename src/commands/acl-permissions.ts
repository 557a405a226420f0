/**
 * Dispatch's ACL check for clients whose user is restricted (the default user is not, so the hot
 * path pays one boolean test): Redis 7.0's NOPERM texts, and an ACL log entry for each refusal.
 * EXEC checks its queued commands again (`execRefusal`): rules may have changed since MULTI.
 */
import { ACL_OK, DENIED_CHANNEL, DENIED_COMMAND, DENIED_KEY } from "../acl/Acl.js"
import type { AclUser } from "../acl/User.js"
import type { CommandContext, CommandSpec } from "./Command.js"
import { describeClient } from "./server/client.js"

const refusalText = (result: number, spec: CommandSpec): string =>
  result === DENIED_COMMAND
    ? `NOPERM this user has no permissions to run the '${spec.name}' command`
    : result === DENIED_KEY
    ? "NOPERM this user has no permissions to access one of the keys used as arguments"
    : "NOPERM this user has no permissions to access one of the channels used as arguments"

const execReason = (result: number): string =>
  result === DENIED_COMMAND
    ? "no permission to execute the command or subcommand"
    : result === DENIED_KEY
    ? "no permission to touch the specified keys"
    : result === DENIED_CHANNEL
    ? "no permission to access one of the channels used as arguments"
    : "no permission"

/** Checks `argv` against the user's rules; logs and returns the refusal, or undefined. */
const check = (
  ctx: CommandContext,
  user: AclUser,
  spec: CommandSpec,
  argv: ReadonlyArray<string>,
  context: "toplevel" | "multi" | "lua",
  /** What the client sent (a script's caller: its EVAL), for the entry's client info. */
  sent: ReadonlyArray<string> = argv
): number => {
  const acl = ctx.server.acl
  const verdict = acl.check(user, spec, argv)
  if (verdict.result === ACL_OK) return ACL_OK
  acl.addLogEntry({
    reason: verdict.result,
    context,
    object: verdict.result === DENIED_COMMAND ? spec.name : argv[verdict.position],
    username: user.name,
    at: ctx.now,
    clientInfo: describeClient(ctx.client, ctx.now, { argv: sent, pendingReply: ctx.out.size })
  })
  return verdict.result
}

/** The NOPERM error for a command the client's user may not run, or undefined. */
export const aclRefusal = (ctx: CommandContext, user: AclUser, spec: CommandSpec, argv: ReadonlyArray<string>) => {
  const result = check(ctx, user, spec, argv, ctx.client.transaction !== undefined ? "multi" : "toplevel")
  return result === ACL_OK ? undefined : refusalText(result, spec)
}

/** EXEC's check of one queued command, or undefined when it may run. */
export const execRefusal = (ctx: CommandContext, spec: CommandSpec, argv: ReadonlyArray<string>) => {
  const user = ctx.client.user
  if (user === undefined || user.unrestricted) return undefined
  const result = check(ctx, user, spec, argv, "multi")
  if (result === ACL_OK) return undefined
  return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. " +
    `This command is no longer allowed for the following reason: ${execReason(result)}`
}

const scriptRefusalText = (result: number): string =>
  result === DENIED_COMMAND
    ? "ERR The user executing the script can't run this command or subcommand"
    : result === DENIED_KEY
    ? "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments"
    : result === DENIED_CHANNEL
    ? "ERR The user executing the script can't publish to the channel mentioned in the command"
    : "ERR The user executing the script is lacking the permissions for the command"

/**
 * A script's command checked against the user of the client that runs the script (`caller`),
 * as Redis 7.0's scriptCall does: logged with context `lua`, or undefined when it may run.
 */
export const scriptAclRefusal = (
  caller: CommandContext,
  callerArgv: ReadonlyArray<string>,
  spec: CommandSpec,
  argv: ReadonlyArray<string>
) => {
  const user = caller.client.user
  if (user === undefined || user.unrestricted) return undefined
  const result = check(caller, user, spec, argv, "lua", callerArgv)
  return result === ACL_OK ? undefined : scriptRefusalText(result)
}

/** redis.acl_check_cmd's verdict: whether the caller's user may run `argv` (never logged). */
export const scriptAclAllows = (caller: CommandContext, spec: CommandSpec, argv: ReadonlyArray<string>): boolean => {
  const user = caller.client.user
  if (user === undefined || user.unrestricted) return true
  return caller.server.acl.check(user, spec, argv).result === ACL_OK
}
