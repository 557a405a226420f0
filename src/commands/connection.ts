/**
 * Connection commands: PING, ECHO, QUIT, SELECT, RESET, HELLO (CLIENT lives in
 * server/client.ts). Each is its arguments' parse and its apply, in a few lines. Flags,
 * summaries and error texts are Redis 7.0's.
 */
import { authenticate, authRequired, NOAUTH_HELLO, resetAuthentication } from "../session/Authentication.js"
import { isKeyword, parseInteger, parseSafeInteger } from "../protocol/arguments.js"
import { command, type CommandSpec } from "./Command.js"
import { endMonitor } from "./server/observability.js"
import { discardTransaction } from "./dispatch.js"
import { inSubscribedMode } from "./pubsub.js"
import { describeClient, ERR_CLIENT_NAME, isValidClientAttribute } from "./server/client.js"
import { REDIS_VERSION } from "../protocol/version.js"

const ping = command({
  name: "ping",
  arity: -1,
  flags: ["fast"],
  group: "connection",
  aclCategories: ["fast", "connection"],
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Ping the server",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (argv.length > 2) ctx.out.error("ERR wrong number of arguments for 'ping' command")
    else if (inSubscribedMode(ctx)) {
      // A subscriber's replies are pushes: pong and the argument (empty without one).
      ctx.out.pushHeader(2)
      ctx.out.raw("$4\r\npong\r\n")
      ctx.out.bulk(argv.length === 2 ? argv[1] : "")
    } else if (argv.length === 2) ctx.out.bulk(argv[1])
    else ctx.out.raw("+PONG\r\n")
  }
})

const echo = command({
  name: "echo",
  arity: 2,
  flags: ["loading", "stale", "fast"],
  group: "connection",
  aclCategories: ["fast", "connection"],
  summary: "Echo the given string",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => ctx.out.bulk(argv[1])
})

const quit = command({
  name: "quit",
  arity: -1,
  flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
  group: "connection",
  aclCategories: ["fast", "connection"],
  summary: "Close the connection",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx) => {
    ctx.out.ok()
    ctx.client.closeAfterReply = true
  }
})

const select = command({
  name: "select",
  arity: 2,
  flags: ["loading", "stale", "fast"],
  group: "connection",
  aclCategories: ["fast", "connection"],
  summary: "Change the selected database for the current connection",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const index = parseSafeInteger(argv[1])
    if (index === undefined) return ctx.out.error("ERR value is not an integer or out of range")
    // Redis reads the index as a C int first.
    if (index < -2147483648 || index > 2147483647) {
      return ctx.out.error("ERR value is out of range, value must between -2147483648 and 2147483647")
    }
    if (ctx.server.config.clusterEnabled && index !== 0) return ctx.out.error("ERR SELECT is not allowed in cluster mode")
    if (index < 0 || index >= ctx.keyspace.databases.length) return ctx.out.error("ERR DB index is out of range")
    ctx.client.db = index
    ctx.db = ctx.keyspace.databases[index]
    ctx.out.ok()
  }
})

/**
 * Back to a fresh connection's state: database 0, RESP2, no name, no subscriptions, no
 * transaction or watched keys, and not authenticated when a password is set (the lib info stays;
 * messages already published to it are still delivered).
 */
const reset = command({
  name: "reset",
  arity: 1,
  flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
  group: "connection",
  aclCategories: ["fast", "connection"],
  summary: "Reset the connection",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx) => {
    ctx.server.pubsub.removeClient(ctx.client)
    ctx.server.tracking.disable(ctx.client)
    ctx.client.db = 0
    ctx.db = ctx.keyspace.databases[0]
    ctx.client.protocol = 2
    ctx.out.protocol = 2
    ctx.client.name = ""
    ctx.client.replyMode = "on"
    endMonitor(ctx)
    discardTransaction(ctx)
    resetAuthentication(ctx.server.acl, ctx.client)
    ctx.out.simple("RESET")
  }
})

/**
 * HELLO [protover [AUTH user pass] [SETNAME name]]: switches the connection to RESP2 or RESP3
 * (without a version it keeps the one in use) and answers the server's map. Options take effect
 * as they are read, as in Redis 7.0: a later mistake leaves an earlier SETNAME applied. AUTH is
 * src/session/Authentication.ts's check; a client still unauthenticated after the options gets
 * NOAUTH. The new protocol applies from this very reply on.
 */
const hello = command({
  name: "hello",
  arity: -1,
  flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
  group: "connection",
  aclCategories: ["fast", "connection"],
  summary: "Handshake with Redis",
  since: "6.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    let version = ctx.client.protocol
    if (argv.length >= 2) {
      const asked = parseInteger(argv[1])
      if (asked === undefined) return ctx.out.error("ERR Protocol version is not an integer or out of range")
      if (asked !== 2 && asked !== 3) return ctx.out.error("NOPROTO unsupported protocol version")
      version = asked
    }
    for (let i = 2; i < argv.length; i++) {
      const more = argv.length - 1 - i
      if (isKeyword(argv[i], "AUTH") && more >= 2) {
        const info = () => describeClient(ctx.client, ctx.now, { argv, pendingReply: ctx.out.size })
        const failure = authenticate(ctx, argv[i + 1], argv[i + 2], argv[0], info)
        if (failure !== undefined) return ctx.out.error(failure)
        i += 2
      } else if (isKeyword(argv[i], "SETNAME") && more >= 1) {
        if (!isValidClientAttribute(argv[i + 1])) return ctx.out.error(ERR_CLIENT_NAME)
        ctx.client.name = argv[i + 1]
        i += 1
      } else {
        return ctx.out.error(`ERR Syntax error in HELLO option '${argv[i]}'`)
      }
    }
    if (authRequired(ctx.server.acl, ctx.client)) return ctx.out.error(NOAUTH_HELLO)
    ctx.client.protocol = version
    ctx.out.protocol = version
    const out = ctx.out
    out.mapHeader(7)
    out.bulk("server")
    out.bulk("redis")
    out.bulk("version")
    out.bulk(REDIS_VERSION)
    out.bulk("proto")
    out.integer(version)
    out.bulk("id")
    out.integer(ctx.client.id)
    out.bulk("mode")
    out.bulk(ctx.server.config.clusterEnabled ? "cluster" : "standalone")
    out.bulk("role")
    out.bulk("master")
    out.bulk("modules")
    out.arrayHeader(0)
  }
})

export const connectionCommands: ReadonlyArray<CommandSpec> = [ping, echo, quit, select, reset, hello]
