/**
 * What Redis's processCommand checks between finding a command and running it, for clients on a
 * connection: authentication first, then (after the ACL check and cluster redirection) memory.
 * Dispatch asks each only when it can refuse (a client not yet authenticated, or maxmemory set),
 * so a GET or SET pays two field reads for them.
 */
import type { CommandContext, CommandSpec } from "./Command.js"
import { defaultUserNeedsAuth, NOAUTH } from "../session/Authentication.js"
import { memoryRefusal } from "../eviction/MaxMemory.js"

/** Whether dispatch must ask `authenticationRefusal` before running a command for `ctx`'s client. */
export const needsAuthentication = (ctx: CommandContext): boolean =>
  ctx.client.remote && !ctx.client.authenticated

/** NOAUTH for a client that must authenticate before running `spec`, or undefined. */
export const authenticationRefusal = (ctx: CommandContext, spec: CommandSpec): string | undefined =>
  defaultUserNeedsAuth(ctx.server.acl) && !spec.flags.includes("no_auth") ? NOAUTH : undefined

/** Whether dispatch must ask `admissionMemoryRefusal` (maxmemory set, a client on a connection). */
export const needsMemoryAdmission = (ctx: CommandContext): boolean =>
  ctx.client.remote && ctx.server.config.maxmemory > 0

/** OOM (after evicting what it can) for `spec`, or undefined to run it. */
export const admissionMemoryRefusal = (ctx: CommandContext, spec: CommandSpec): string | undefined =>
  memoryRefusal(ctx, spec)
