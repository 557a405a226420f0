/**
 * What Redis's processCommand checks between finding a command and running it, for clients on a
 * connection: authentication first, then memory. Dispatch calls `admissionRefusal` only when one
 * of them can refuse (a client not yet authenticated, or maxmemory set), so a GET or SET pays two
 * field reads for it.
 */
import type { CommandContext, CommandSpec } from "../commands/Command.js"
import { defaultUserNeedsAuth, NOAUTH } from "./Authentication.js"
import { memoryRefusal } from "./MaxMemory.js"

/** Whether dispatch must ask `admissionRefusal` before running a command for `ctx`'s client. */
export const needsAdmission = (ctx: CommandContext): boolean =>
  ctx.client.remote && (!ctx.client.authenticated || ctx.server.config.maxmemory > 0)

/** The error that refuses `spec` for `ctx`'s client, or undefined to run it. */
export const admissionRefusal = (ctx: CommandContext, spec: CommandSpec): string | undefined => {
  if (!ctx.client.authenticated && defaultUserNeedsAuth(ctx.server.acl) && !spec.flags.includes("no_auth")) {
    return NOAUTH
  }
  if (ctx.server.config.maxmemory > 0) return memoryRefusal(ctx, spec)
  return undefined
}
