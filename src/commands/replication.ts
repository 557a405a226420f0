/**
 * The replication family: REPLCONF, PSYNC and SYNC (what a replica sends its primary), REPLICAOF
 * and SLAVEOF, ROLE and WAIT. The work is src/replication/Replication.ts's; these read the
 * arguments and answer as Redis 7.0 does.
 */
import { parseInteger, isKeyword } from "../protocol/arguments.js"
import { deprecated, command, type CommandContext, type CommandSpec } from "./Command.js"

const NOT_INTEGER = "ERR value is not an integer or out of range"
const WAIT_ON_REPLICA =
  "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is " +
  "configured to be writable (which is not the default) writes to replicas are just local and are not propagated."

const replicationOf = (ctx: CommandContext) => {
  const replication = ctx.server.replication
  if (replication === undefined) throw new Error("replication is not running")
  return replication
}

const integerArg = (text: string): number | undefined => {
  const value = parseInteger(text)
  return value === undefined ? undefined : Number(value)
}

const replconf: CommandSpec = command({
  name: "replconf",
  docFlags: ["syscmd"],
  arity: -1,
  flags: ["admin", "noscript", "loading", "stale", "allow_busy"],
  group: "server",
  summary: "An internal command for configuring the replication stream",
  since: "3.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (argv.length % 2 === 0) return ctx.out.error("ERR syntax error")
    const replication = replicationOf(ctx)
    const client = ctx.client
    for (let i = 1; i < argv.length; i += 2) {
      const option = argv[i].toLowerCase()
      const value = argv[i + 1]
      if (option === "listening-port") {
        const port = integerArg(value)
        if (port === undefined) return ctx.out.error(NOT_INTEGER)
        replication.peerOf(client).listeningPort = port
      } else if (option === "ip-address") {
        replication.peerOf(client).announcedIp = value
      } else if (option === "capa") {
        const peer = replication.peerOf(client)
        if (value.toLowerCase() === "eof") peer.capaEof = true
        else if (value.toLowerCase() === "psync2") peer.capaPsync2 = true
      } else if (option === "ack") {
        // From an attached replica only, and never answered.
        const offset = integerArg(value)
        if (offset !== undefined && client.replicationRole === "replica") replication.acknowledge(client, offset)
        return
      } else if (option === "getack") {
        // Only our primary asks (through the stream, where MasterLink answers it).
        return
      } else if (option === "rdb-only") {
        // A client that only wants the snapshot (redis-cli --rdb): closed after it, no stream.
        const flag = integerArg(value)
        if (flag === undefined) return ctx.out.error(NOT_INTEGER)
        if (flag !== 0 && flag !== 1) return ctx.out.error("ERR value is out of range, value must between 0 and 1")
        replication.peerOf(client).rdbOnly = flag === 1
      } else if (option === "rdb-filter-only") {
        // The only filter is "functions"; it is checked but not applied: the whole snapshot (keys and functions) is sent.
        const unknown = value.split(" ").find((word) => word !== "" && word.toLowerCase() !== "functions")
        if (unknown !== undefined) return ctx.out.error(`ERR Unsupported rdb-filter-only option: ${unknown}`)
      } else {
        return ctx.out.error(`ERR Unrecognized REPLCONF option: ${argv[i]}`)
      }
    }
    ctx.out.ok()
  }
})

const sync = (ctx: CommandContext, replid: string, offset: number, isSync: boolean): void => {
  const client = ctx.client
  if (client.replicationRole === "replica") return
  const reply = replicationOf(ctx).psync(client, replid, offset, isSync)
  if (reply !== undefined) ctx.out.raw(reply)
}

const psync: CommandSpec = command({
  name: "psync",
  arity: -3,
  flags: ["admin", "noscript", "no_async_loading", "no_multi"],
  group: "server",
  summary: "Internal command used for replication",
  since: "2.8.0",
  run: (ctx, argv) => {
    const offset = integerArg(argv[2])
    if (offset === undefined) return ctx.out.error(NOT_INTEGER)
    if (argv.length > 3 && isKeyword(argv[3], "FAILOVER")) {
      // Our primary hands over (its FAILOVER): we become the primary, then it continues as our replica.
      const replication = replicationOf(ctx)
      if (argv[1] !== replication.replid) return ctx.out.error("ERR PSYNC FAILOVER replid must match my replid.")
      replication.promote(ctx.client)
    }
    sync(ctx, argv[1], offset, false)
  }
})

const syncCommand: CommandSpec = command({
  name: "sync",
  arity: 1,
  flags: ["admin", "noscript", "no_async_loading", "no_multi"],
  group: "server",
  summary: "Internal command used for replication",
  since: "1.0.0",
  run: (ctx) => sync(ctx, "?", -1, true)
})

const replicaofRun = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const replication = replicationOf(ctx)
  if (isKeyword(argv[1], "NO") && isKeyword(argv[2], "ONE")) {
    replication.promote()
    return ctx.out.ok()
  }
  if (ctx.client.replicationRole === "replica") return ctx.out.error("ERR Command is not valid when client is a replica.")
  const port = integerArg(argv[2])
  if (port === undefined || port < 0 || port > 65535) return ctx.out.error("ERR Invalid master port")
  if (!replication.follow(argv[1], port)) return ctx.out.raw("+OK Already connected to specified master\r\n")
  ctx.out.ok()
}

const replicaof: CommandSpec = command({
  name: "replicaof",
  arity: 3,
  flags: ["admin", "noscript", "stale", "no_async_loading"],
  group: "server",
  summary: "Make the server a replica of another instance, or promote it as master.",
  since: "5.0.0",
  complexity: "O(1)",
  run: replicaofRun
})

const slaveof: CommandSpec = command({
  ...replicaof,
  name: "slaveof",
  since: "1.0.0",
  ...deprecated("5.0.0", "`REPLICAOF`")
})

const role: CommandSpec = command({
  name: "role",
  arity: 1,
  flags: ["noscript", "loading", "stale", "fast"],
  aclCategories: ["admin", "fast", "dangerous"],
  group: "server",
  summary: "Return the role of the instance in the context of replication",
  since: "2.8.12",
  complexity: "O(1)",
  run: (ctx) => {
    const replication = replicationOf(ctx)
    const out = ctx.out
    const link = replication.link
    if (link === undefined) {
      const online = [...replication.peers.values()].filter((peer) => peer.state === "online" && !peer.client.isClosed())
      out.arrayHeader(3)
      out.bulk("master")
      out.integer(replication.offset)
      out.arrayHeader(online.length)
      for (const peer of online) out.bulkArray([peer.ip, String(peer.listeningPort), String(peer.ackOffset)])
      return
    }
    out.arrayHeader(5)
    out.bulk("slave")
    out.bulk(link.host)
    out.integer(link.port)
    out.bulk(link.state)
    out.integer(link.state === "connected" ? replication.offset : -1)
  }
})

const wait: CommandSpec = command({
  name: "wait",
  arity: 3,
  flags: ["noscript"],
  aclCategories: ["slow", "connection"],
  tips: ["request_policy:all_shards", "response_policy:agg_min"],
  group: "generic",
  summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
  since: "3.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const replication = replicationOf(ctx)
    if (replication.link !== undefined) return ctx.out.error(WAIT_ON_REPLICA)
    const replicas = integerArg(argv[1])
    if (replicas === undefined) return ctx.out.error(NOT_INTEGER)
    const timeout = integerArg(argv[2])
    if (timeout === undefined) return ctx.out.error("ERR timeout is not an integer or out of range")
    if (timeout < 0) return ctx.out.error("ERR timeout is negative")
    const offset = replication.writeOffset()
    const acked = replication.acknowledgedBy(offset)
    const client = ctx.client
    if (acked >= replicas || client.inExec || client.denyBlocking) return ctx.out.integer(acked)
    ctx.server.blocked.block(ctx, "list", [], timeout > 0 ? ctx.now + timeout : 0, "wait", () => {})
    const blockedWait = client.blocked
    if (blockedWait !== undefined) {
      blockedWait.timeoutReply = () => {
        replication.removeWaiter(client)
        return Buffer.from(`:${replication.acknowledgedBy(offset)}\r\n`, "latin1")
      }
    }
    replication.addWaiter(client, offset, replicas)
  }
})

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: checks in Redis 7.0's order, then Failover.ts's work. */
const failoverRun = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const replication = replicationOf(ctx)
  const failover = replication.failover
  if (argv.length === 2 && isKeyword(argv[1], "ABORT")) {
    if (failover.state === "no-failover") return ctx.out.error("ERR No failover in progress.")
    failover.abort("Failover manually aborted")
    return ctx.out.ok()
  }
  let timeout = 0
  let target: { host: string; port: number } | undefined
  let force = false
  for (let j = 1; j < argv.length; j++) {
    if (isKeyword(argv[j], "TIMEOUT") && j + 1 < argv.length && timeout === 0) {
      const value = integerArg(argv[++j])
      if (value === undefined) return ctx.out.error(NOT_INTEGER)
      if (value <= 0) return ctx.out.error("ERR FAILOVER timeout must be greater than 0")
      timeout = value
    } else if (isKeyword(argv[j], "TO") && j + 2 < argv.length && target === undefined) {
      const port = integerArg(argv[j + 2])
      if (port === undefined) return ctx.out.error(NOT_INTEGER)
      target = { host: argv[j + 1], port }
      j += 2
    } else if (isKeyword(argv[j], "FORCE") && !force) {
      force = true
    } else {
      return ctx.out.error("ERR syntax error")
    }
  }
  if (failover.state !== "no-failover") return ctx.out.error("ERR FAILOVER already in progress.")
  if (replication.link !== undefined) return ctx.out.error("ERR FAILOVER is not valid when server is a replica.")
  if (replication.findReplica(undefined) === undefined) return ctx.out.error("ERR FAILOVER requires connected replicas.")
  if (force && (timeout === 0 || target === undefined)) {
    return ctx.out.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
  }
  if (target !== undefined) {
    const peer = replication.findReplica(target)
    if (peer === undefined) return ctx.out.error("ERR FAILOVER target HOST and PORT is not a replica.")
    if (peer.state !== "online") return ctx.out.error("ERR FAILOVER target replica is not online.")
  }
  ctx.out.ok()
  failover.begin(target, force, timeout > 0 ? ctx.now + timeout : 0, ctx.now)
}

const failoverCommand: CommandSpec = command({
  name: "failover",
  arity: -1,
  flags: ["admin", "noscript", "stale"],
  group: "server",
  summary: "Start a coordinated failover between this server and one of its replicas.",
  since: "6.2.0",
  complexity: "O(1)",
  run: failoverRun
})

export const replicationCommands: ReadonlyArray<CommandSpec> = [
  replconf, psync, syncCommand, replicaof, slaveof, role, wait, failoverCommand
]
