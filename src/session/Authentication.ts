/**
 * Authentication and exposure, as Redis 7.0 does them: a client starts as the `default` ACL user
 * (src/acl/Acl.ts), whose password is `requirepass` unless ACL SETUSER changed it (nopass: everyone
 * is in); AUTH / HELLO AUTH switch it to any enabled user whose password matches.
 *
 * - A client is authenticated from the start when no password is set at that moment, and keeps
 *   whatever it has when the password changes later (as in Redis: `c->authenticated` is decided
 *   when the client is created, by AUTH / HELLO AUTH, and by RESET).
 * - Until then every command without the `no_auth` flag (AUTH, HELLO, QUIT, RESET) is answered
 *   with NOAUTH (dispatch checks `authRequired`), and the parser refuses multibulk counts above 10
 *   and bulks above 16 KB (Redis's guard against memory use by strangers).
 * - Passwords are compared in constant time (SHA-256 digests of both sides, so their lengths do
 *   not show either) and are never logged: AUTH is not a write (the AOF never sees it), CLIENT
 *   LIST shows only the command name, and nothing here logs.
 * - Protected mode: with no password and `protected-mode yes`, a client that does not connect from
 *   a loopback address gets Redis's DENIED text and is closed (`deniedByProtectedMode`).
 */
import type { Acl } from "../acl/Acl.js"
import { DENIED_AUTH } from "../acl/Acl.js"
import type { ClientState } from "./ClientState.js"

export const NOAUTH = "NOAUTH Authentication required."
export const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
export const AUTH_WITHOUT_PASSWORD =
  "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
export const NOAUTH_HELLO =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"

/** Whether clients of the default user must authenticate (Redis: not nopass, or disabled). */
export const defaultUserNeedsAuth = (acl: Acl): boolean => !acl.defaultUser.nopass || !acl.defaultUser.enabled

/** Whether `client` must authenticate before running commands without `no_auth`. */
export const authRequired = (acl: Acl, client: ClientState): boolean =>
  !client.authenticated && defaultUserNeedsAuth(acl)

/** A new connection's state, and RESET's: the default user, in when it needs no password. */
export const resetAuthentication = (acl: Acl, client: ClientState): void => {
  client.user = acl.defaultUser
  client.authenticated = !defaultUserNeedsAuth(acl)
}

/** The running AUTH or HELLO as logging in sees it (a CommandContext). */
export interface AuthenticatingCommand {
  readonly server: { readonly acl: Acl }
  readonly client: ClientState
  readonly now: number
}

/**
 * AUTH and HELLO's AUTH option: checks `username` (undefined for AUTH's one-argument form) and
 * `password`; on success the client is authenticated. Returns the error text to reply with, or
 * undefined. A failure leaves an already authenticated client authenticated, as in Redis.
 */
export const authenticate = (
  ctx: AuthenticatingCommand,
  username: string | undefined,
  password: string,
  /** For the ACL log of a failure: the command as sent, and the client's CLIENT INFO line. */
  argv0: string,
  clientInfo: () => string
): string | undefined => {
  const acl = ctx.server.acl
  if (username === undefined && acl.defaultUser.nopass) return AUTH_WITHOUT_PASSWORD
  const name = username ?? "default"
  const user = acl.checkCredentials(name, password)
  if (user === undefined) {
    acl.addLogEntry({
      reason: DENIED_AUTH,
      context: ctx.client.transaction !== undefined ? "multi" : "toplevel",
      object: argv0,
      username: name,
      at: ctx.now,
      clientInfo: clientInfo()
    })
    return WRONGPASS
  }
  ctx.client.user = user
  ctx.client.authenticated = true
  return undefined
}

/** Redis's reply to a client refused by protected mode, sent before it is closed. */
export const DENIED_TEXT =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the " +
  "default user. In this mode connections are only accepted from the loopback interface. If you want to connect " +
  "from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode " +
  "sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the " +
  "same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. " +
  "Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by " +
  "editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the " +
  "server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' " +
  "option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the " +
  "above things in order for the server to start accepting connections from the outside.\r\n"

/** Redis's `connIsLocal`: 127.x.x.x or ::1 (an IPv4 peer on a dual-stack socket is `::ffff:127.…`). */
export const isLoopbackAddress = (address: string | undefined): boolean => {
  if (address === undefined) return false
  const ip = address.startsWith("::ffff:") ? address.slice(7) : address
  return ip.startsWith("127.") || ip === "::1"
}

/** Whether a client from `remoteAddress` is refused: protected mode on, no password, not loopback. */
export const deniedByProtectedMode = (config: { readonly protectedMode: boolean }, acl: Acl, remoteAddress: string | undefined): boolean =>
  config.protectedMode && acl.defaultUser.nopass && !isLoopbackAddress(remoteAddress)
