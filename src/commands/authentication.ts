/**
 * Who a client may authenticate as. Authentication proper (requirepass, AUTH, NOAUTH) is not
 * built yet; this is the one place it plugs into: HELLO's AUTH option asks `checkCredentials`.
 *
 * Until then it answers as Redis 7.0 does without ACLs: the only user is `default`, whose
 * password is `requirepass`, and any password is right when none is set.
 */
import type { CommandContext } from "./Command.js"

export const ERR_WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."

/** Whether `username` / `password` may log in (the caller replies ERR_WRONGPASS when not). */
export const checkCredentials = (ctx: CommandContext, username: string, password: string): boolean => {
  const required = ctx.server.config.extra.get("requirepass") ?? ""
  return username === "default" && (required === "" || password === required)
}
