/**
 * A Redis Cluster face for cluster-aware clients (ioredis `Cluster`, node-redis `createCluster`):
 * with `cluster-enabled yes` the server answers as the one master of a one-node cluster that owns
 * all 16384 slots, at its bind address and port. There is no cluster bus, no other node and no
 * slot migration, so no MOVED or ASK; what a client can still get wrong is sending keys of
 * different slots in one command (or one transaction), which gets Redis's CROSSSLOT error.
 *
 * CLUSTER answers SLOTS, SHARDS, NODES, INFO, MYID, KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT,
 * LINKS, REPLICAS, COUNT-FAILURE-REPORTS and HELP (listing those; not the ones that change the
 * cluster, which has nothing to change); ASKING, READONLY and READWRITE answer OK. Without cluster mode each of
 * them answers Redis's "This instance has cluster support disabled". Keys live in database 0
 * only (SELECT of another, MOVE and SWAPDB are refused, as in Redis). Counting or listing the
 * keys of a slot walks the database's keys: there is no per-slot index.
 */
import { randomBytes } from "node:crypto"
import { CLUSTER_SLOTS, keySlot } from "../keyspace/keyslot.js"
import { ERR_NOT_INTEGER, parseInteger } from "../protocol/arguments.js"
import { deprecated, command, type CommandContext, type CommandSpec, type ServerState } from "./Command.js"
import { findKeys } from "../protocol/key-specs.js"

const ERR_CLUSTER_DISABLED = "ERR This instance has cluster support disabled"
const ERR_CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot"
/** Redis's cluster bus listens on the client port + 10000. */
const BUS_PORT_OFFSET = 10000

const nodeIds = new WeakMap<ServerState, string>()
/** This node's 40-hex-character id, new for every start (Redis keeps its id in nodes.conf). */
const nodeId = (server: ServerState): string => {
  let id = nodeIds.get(server)
  if (id === undefined) {
    id = randomBytes(20).toString("hex")
    nodeIds.set(server, id)
  }
  return id
}

/** The address clients reach this node at: the bind address (the first one; loopback for a wildcard). */
const nodeIp = (ctx: CommandContext): string => {
  const bind = ctx.server.config.bind.split(/\s+/).filter((part) => part !== "")[0] ?? "127.0.0.1"
  const address = bind.startsWith("-") ? bind.slice(1) : bind
  return address === "0.0.0.0" || address === "*" ? "127.0.0.1" : address === "::" || address === "::*" ? "::1" : address
}

/**
 * The CROSSSLOT refusal of a command in cluster mode (Redis's getNodeByQuery, for a node that
 * owns every slot), or undefined. EXEC is judged by the keys of every queued command.
 */
export const crossSlotRefusal = (ctx: CommandContext, spec: CommandSpec, argv: ReadonlyArray<string>): string | undefined => {
  let slot = -1
  const check = (command: CommandSpec, args: ReadonlyArray<string>): boolean => {
    if (command.firstKey === 0 && command.keySpecs === undefined && command.getKeys === undefined) return true
    for (const key of findKeys(command, args)) {
      const keyAt = keySlot(args[key.position])
      if (slot === -1) slot = keyAt
      else if (keyAt !== slot) return false
    }
    return true
  }
  if (spec.name === "exec") {
    const transaction = ctx.client.transaction
    if (transaction === undefined) return undefined
    for (const queued of transaction.commands) if (!check(queued.spec, queued.argv)) return ERR_CROSSSLOT
    return undefined
  }
  return check(spec, argv) ? undefined : ERR_CROSSSLOT
}

const NONDETERMINISTIC: Partial<CommandSpec> = { tips: ["nondeterministic_output"] }

/** A subcommand of CLUSTER, which answers the disabled error outside cluster mode. */
const clusterSubcommand = (
  name: string,
  arity: number,
  summary: string,
  since: string,
  complexity: string,
  run: (ctx: CommandContext, argv: ReadonlyArray<string>) => void,
  extra: Partial<CommandSpec> = {}
): CommandSpec =>
  command({
    name: `cluster|${name}`,
    arity,
    flags: ["stale"],
    group: "cluster",
    aclCategories: ["slow"],
    summary,
    since,
    complexity,
    ...extra,
    run: (ctx, argv) => (ctx.server.config.clusterEnabled ? run(ctx, argv) : ctx.out.error(ERR_CLUSTER_DISABLED))
  })

const slots = clusterSubcommand("slots", 2, "Get array of Cluster slot to node mappings", "3.0.0",
  "O(N) where N is the total number of Cluster nodes", (ctx) => {
    const out = ctx.out
    out.arrayHeader(1)
    out.arrayHeader(3)
    out.integer(0)
    out.integer(CLUSTER_SLOTS - 1)
    out.arrayHeader(4)
    out.bulk(nodeIp(ctx))
    out.integer(ctx.server.tcpPort)
    out.bulk(nodeId(ctx.server))
    out.mapHeader(0)
  }, { ...NONDETERMINISTIC, ...deprecated("7.0.0", "`CLUSTER SHARDS`") })

const shards = clusterSubcommand("shards", 2, "Get array of cluster slots to node mappings", "7.0.0",
  "O(N) where N is the total number of cluster nodes", (ctx) => {
    const out = ctx.out
    const ip = nodeIp(ctx)
    out.arrayHeader(1)
    out.mapHeader(2)
    out.bulk("slots")
    out.arrayHeader(2)
    out.integer(0)
    out.integer(CLUSTER_SLOTS - 1)
    out.bulk("nodes")
    out.arrayHeader(1)
    out.mapHeader(7)
    out.bulk("id")
    out.bulk(nodeId(ctx.server))
    out.bulk("port")
    out.integer(ctx.server.tcpPort)
    out.bulk("ip")
    out.bulk(ip)
    out.bulk("endpoint")
    out.bulk(ip)
    out.bulk("role")
    out.bulk("master")
    out.bulk("replication-offset")
    out.integer(0)
    out.bulk("health")
    out.bulk("online")
  }, NONDETERMINISTIC)

const nodes = clusterSubcommand("nodes", 2, "Get Cluster config for the node", "3.0.0",
  "O(N) where N is the total number of Cluster nodes", (ctx) => {
    const port = ctx.server.tcpPort
    ctx.out.verbatim(
      `${nodeId(ctx.server)} ${nodeIp(ctx)}:${port}@${port + BUS_PORT_OFFSET} myself,master - 0 0 0 connected 0-${CLUSTER_SLOTS - 1}\n`
    )
  }, NONDETERMINISTIC)

const INFO_TEXT = [
  "cluster_state:ok",
  `cluster_slots_assigned:${CLUSTER_SLOTS}`,
  `cluster_slots_ok:${CLUSTER_SLOTS}`,
  "cluster_slots_pfail:0",
  "cluster_slots_fail:0",
  "cluster_known_nodes:1",
  "cluster_size:1",
  "cluster_current_epoch:0",
  "cluster_my_epoch:0",
  "cluster_stats_messages_sent:0",
  "cluster_stats_messages_received:0",
  "total_cluster_links_buffer_limit_exceeded:0",
  ""
].join("\r\n")

const info = clusterSubcommand("info", 2, "Provides info about Redis Cluster node state", "3.0.0", "O(1)",
  (ctx) => ctx.out.verbatim(INFO_TEXT), NONDETERMINISTIC)

const myid = clusterSubcommand("myid", 2, "Return the node id", "3.0.0", "O(1)", (ctx) => ctx.out.bulk(nodeId(ctx.server)))

const keyslot = clusterSubcommand("keyslot", 3, "Returns the hash slot of the specified key", "3.0.0",
  "O(N) where N is the number of bytes in the key", (ctx, argv) => ctx.out.integer(keySlot(argv[2])))

/** A slot argument: the integer error, or Redis's `error` when out of range. */
const slotArg = (text: string): number | "not integer" | "out of range" => {
  const slot = parseInteger(text)
  if (slot === undefined) return "not integer"
  return slot < 0 || slot >= CLUSTER_SLOTS ? "out of range" : Number(slot)
}

/** Database 0's live keys in `slot`, at most `limit` of them. */
const keysInSlot = (ctx: CommandContext, slot: number, limit: number): Array<string> => {
  const db = ctx.keyspace.databases[0]
  const found: Array<string> = []
  for (const key of db.keys()) {
    if (found.length >= limit) break
    if (keySlot(key) === slot && db.has(key, ctx.now)) found.push(key)
  }
  return found
}

const countkeysinslot = clusterSubcommand("countkeysinslot", 3, "Return the number of local keys in the specified hash slot",
  "3.0.0", "O(1)", (ctx, argv) => {
    const slot = slotArg(argv[2])
    if (slot === "not integer") return ctx.out.error(ERR_NOT_INTEGER)
    if (slot === "out of range") return ctx.out.error("ERR Invalid slot")
    ctx.out.integer(keysInSlot(ctx, slot, Infinity).length)
  })

const getkeysinslot = clusterSubcommand("getkeysinslot", 4, "Return local key names in the specified hash slot", "3.0.0",
  "O(log(N)) where N is the number of requested keys", (ctx, argv) => {
    const slot = slotArg(argv[2])
    if (slot === "not integer") return ctx.out.error(ERR_NOT_INTEGER)
    const count = parseInteger(argv[3])
    if (count === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    if (slot === "out of range" || count < 0) return ctx.out.error("ERR Invalid slot or number of keys")
    const keys = keysInSlot(ctx, slot, Number(count))
    ctx.out.arrayHeader(keys.length)
    for (const key of keys) ctx.out.bulk(key)
  }, NONDETERMINISTIC)

/** The subcommands about other nodes: there are none, so this node's id is the only one known. */
const aboutNode = (name: string, summary: string, since: string, complexity: string, answer: (ctx: CommandContext) => void) =>
  clusterSubcommand(name, 3, summary, since, complexity, (ctx, argv) => {
    if (argv[2] !== nodeId(ctx.server)) return ctx.out.error(`ERR Unknown node ${argv[2]}`)
    answer(ctx)
  }, { flags: ["admin", "stale"], aclCategories: ["admin", "slow", "dangerous"], ...NONDETERMINISTIC })

const replicas = aboutNode("replicas", "List replica nodes of the specified master node", "5.0.0", "O(1)", (ctx) => ctx.out.arrayHeader(0))

const countFailureReports = aboutNode("count-failure-reports", "Return the number of failure reports active for a given node",
  "3.0.0", "O(N) where N is the number of failure reports", (ctx) => ctx.out.integer(0))

const links = clusterSubcommand("links", 2, "Returns a list of all TCP links to and from peer nodes in cluster", "7.0.0",
  "O(N) where N is the total number of Cluster nodes", (ctx) => ctx.out.arrayHeader(0), NONDETERMINISTIC)

const HELP_LINES = [
  "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "COUNT-FAILURE-REPORTS <node-id>",
  "    Return number of failure reports for <node-id>.",
  "COUNTKEYSINSLOT <slot>",
  "    Return the number of keys in <slot>.",
  "GETKEYSINSLOT <slot> <count>",
  "    Return key names stored by current node in a slot.",
  "INFO",
  "    Return information about the cluster.",
  "KEYSLOT <key>",
  "    Return the hash slot for <key>.",
  "MYID",
  "    Return the node id.",
  "NODES",
  "    Return cluster configuration seen by node. Output format:",
  "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
  "REPLICAS <node-id>",
  "    Return <node-id> replicas.",
  "SLOTS",
  "    Return information about slots range mappings. Each range is made of:",
  "    start, end, master and replicas IP addresses, ports and ids",
  "SHARDS",
  "    Return information about slot range mappings and the nodes associated with them.",
  "LINKS",
  "    Return information about all network links between this node and its peers.",
  "    Output format is an array where each array element is a map containing attributes of a link",
  "HELP",
  "    Prints this help."
]
const HELP_REPLY = `*${HELP_LINES.length}\r\n${HELP_LINES.map((line) => `+${line}\r\n`).join("")}`

const help = clusterSubcommand("help", 2, "Show helpful text about the different subcommands", "5.0.0", "O(1)",
  (ctx) => ctx.out.raw(HELP_REPLY), { flags: ["loading", "stale"] })

const cluster = command({
  name: "cluster",
  arity: -2,
  flags: [],
  group: "cluster",
  aclCategories: ["slow"],
  summary: "A container for cluster commands",
  since: "3.0.0",
  complexity: "Depends on subcommand.",
  subcommands: [slots, info, nodes, shards, links, myid, help, keyslot, countkeysinslot, getkeysinslot, replicas, countFailureReports]
})

/** ASKING, READONLY, READWRITE: accepted in cluster mode (one node: nothing to redirect or route). */
const connectionFlag = (name: string, summary: string, since: string, flags: CommandSpec["flags"]) =>
  command({
    name,
    arity: 1,
    flags,
    group: "cluster",
    aclCategories: ["fast", "connection"],
    summary,
    since,
    complexity: "O(1)",
    run: (ctx) => (ctx.server.config.clusterEnabled ? ctx.out.ok() : ctx.out.error(ERR_CLUSTER_DISABLED))
  })

export const clusterCommands: ReadonlyArray<CommandSpec> = [
  cluster,
  connectionFlag("asking", "Sent by cluster clients after an -ASK redirect", "3.0.0", ["fast"]),
  connectionFlag("readonly", "Enables read queries for a connection to a cluster replica node", "3.0.0", ["loading", "stale", "fast"]),
  connectionFlag("readwrite", "Disables read queries for a connection to a cluster replica node", "3.0.0", ["loading", "stale", "fast"])
]
