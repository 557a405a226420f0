/**
 * The pub/sub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, Redis 7's shard
 * channels (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH: in a standalone server, a namespace of their own
 * without patterns) and PUBSUB (CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB, HELP), over
 * the server's hub (src/pubsub/Hub.ts).
 *
 * (UN)SUBSCRIBE replies one push per channel with the connection's subscription count after it
 * (channels and patterns together; shard channels count on their own); with no arguments they
 * leave every subscription in the order they were made, or answer one push with a null name when
 * there is none. While a RESP2 connection has any subscription it may only run the commands
 * dispatch lets through (`SUBSCRIBED_MODE_COMMANDS`), and PING answers `pong` as a push.
 */
import { stringMatch } from "../keyspace/glob.js"
import { writeSubscription } from "../pubsub/messages.js"
import { command, type CommandContext, type CommandSpec } from "./Command.js"
import { helpSubcommand } from "./server/help.js"
import { keyAt, keysToEnd } from "../protocol/key-specs.js"

const SUBSCRIBING = ["pubsub", "noscript", "loading", "stale"] as const
const SUBSCRIBING_ACL = ["pubsub", "slow"]

/** The commands a RESP2 connection with subscriptions may run (Redis's list, shard ones included). */
export const SUBSCRIBED_MODE_COMMANDS: ReadonlySet<string> = new Set([
  "subscribe",
  "unsubscribe",
  "psubscribe",
  "punsubscribe",
  "ssubscribe",
  "sunsubscribe",
  "ping",
  "quit",
  "reset"
])

export const subscribedModeError = (name: string) =>
  `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET ` +
  "are allowed in this context"

/** Whether the client is in RESP2's subscribed mode (PING answers differently there). */
export const inSubscribedMode = (ctx: CommandContext): boolean =>
  ctx.client.protocol === 2 && ctx.client.pubsub?.subscribed === true

const subscribe = command({
  name: "subscribe",
  arity: -2,
  flags: SUBSCRIBING,
  group: "pubsub",
  aclCategories: SUBSCRIBING_ACL,
  summary: "Listen for messages published to the given channels",
  since: "2.0.0",
  complexity: "O(N) where N is the number of channels to subscribe to.",
  run: (ctx, argv) => {
    const hub = ctx.server.pubsub
    for (let i = 1; i < argv.length; i++) {
      writeSubscription(ctx.out, "subscribe", argv[i], hub.subscribe(ctx.client, argv[i]))
    }
  }
})

const unsubscribe = command({
  name: "unsubscribe",
  arity: -1,
  flags: SUBSCRIBING,
  group: "pubsub",
  aclCategories: SUBSCRIBING_ACL,
  summary: "Stop listening for messages posted to the given channels",
  since: "2.0.0",
  complexity: "O(N) where N is the number of clients already subscribed to a channel.",
  run: (ctx, argv) => {
    const hub = ctx.server.pubsub
    const channels = argv.length > 1 ? argv.slice(1) : [...(ctx.client.pubsub?.channels ?? [])]
    if (channels.length === 0) {
      return writeSubscription(ctx.out, "unsubscribe", undefined, ctx.client.pubsub?.count ?? 0)
    }
    for (const channel of channels) {
      writeSubscription(ctx.out, "unsubscribe", channel, hub.unsubscribe(ctx.client, channel))
    }
  }
})

const psubscribe = command({
  name: "psubscribe",
  arity: -2,
  flags: SUBSCRIBING,
  group: "pubsub",
  aclCategories: SUBSCRIBING_ACL,
  summary: "Listen for messages published to channels matching the given patterns",
  since: "2.0.0",
  complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
  run: (ctx, argv) => {
    const hub = ctx.server.pubsub
    for (let i = 1; i < argv.length; i++) {
      writeSubscription(ctx.out, "psubscribe", argv[i], hub.psubscribe(ctx.client, argv[i]))
    }
  }
})

const punsubscribe = command({
  name: "punsubscribe",
  arity: -1,
  flags: SUBSCRIBING,
  group: "pubsub",
  aclCategories: SUBSCRIBING_ACL,
  summary: "Stop listening for messages posted to channels matching the given patterns",
  since: "2.0.0",
  complexity:
    "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
  run: (ctx, argv) => {
    const hub = ctx.server.pubsub
    const patterns = argv.length > 1 ? argv.slice(1) : [...(ctx.client.pubsub?.patterns ?? [])]
    if (patterns.length === 0) {
      return writeSubscription(ctx.out, "punsubscribe", undefined, ctx.client.pubsub?.count ?? 0)
    }
    for (const pattern of patterns) {
      writeSubscription(ctx.out, "punsubscribe", pattern, hub.punsubscribe(ctx.client, pattern))
    }
  }
})

const publish = command({
  name: "publish",
  arity: 3,
  flags: ["pubsub", "loading", "stale", "fast"],
  group: "pubsub",
  aclCategories: ["pubsub", "fast"],
  summary: "Post a message to a channel",
  since: "2.0.0",
  complexity:
    "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
  run: (ctx, argv) => ctx.out.integer(ctx.server.pubsub.publish(argv[1], argv[2], ctx.now, ctx))
})

/** Shard channel commands name their channels as keys (cluster routing reads them). */
const ssubscribe = command({
  name: "ssubscribe",
  arity: -2,
  flags: SUBSCRIBING,
  firstKey: 1,
  lastKey: -1,
  step: 1,
  group: "pubsub",
  aclCategories: SUBSCRIBING_ACL,
  keySpecs: [keysToEnd(1, 1, "not_key")],
  summary: "Listen for messages published to the given shard channels",
  since: "7.0.0",
  complexity: "O(N) where N is the number of shard channels to subscribe to.",
  run: (ctx, argv) => {
    // Unlike SUBSCRIBE, Redis 7.0 makes no exception for a transaction here.
    if (ctx.client.inExec || ctx.client.denyBlocking) {
      return ctx.out.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
    }
    const hub = ctx.server.pubsub
    for (let i = 1; i < argv.length; i++) {
      writeSubscription(ctx.out, "ssubscribe", argv[i], hub.ssubscribe(ctx.client, argv[i]))
    }
  }
})

const sunsubscribe = command({
  name: "sunsubscribe",
  arity: -1,
  flags: SUBSCRIBING,
  firstKey: 1,
  lastKey: -1,
  step: 1,
  group: "pubsub",
  aclCategories: SUBSCRIBING_ACL,
  keySpecs: [keysToEnd(1, 1, "not_key")],
  summary: "Stop listening for messages posted to the given shard channels",
  since: "7.0.0",
  complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
  run: (ctx, argv) => {
    const hub = ctx.server.pubsub
    const channels = argv.length > 1 ? argv.slice(1) : [...(ctx.client.pubsub?.shardChannels ?? [])]
    if (channels.length === 0) {
      return writeSubscription(ctx.out, "sunsubscribe", undefined, ctx.client.pubsub?.shardChannels.size ?? 0)
    }
    for (const channel of channels) {
      writeSubscription(ctx.out, "sunsubscribe", channel, hub.sunsubscribe(ctx.client, channel))
    }
  }
})

const spublish = command({
  name: "spublish",
  arity: 3,
  flags: ["pubsub", "loading", "stale", "fast"],
  firstKey: 1,
  lastKey: 1,
  step: 1,
  group: "pubsub",
  aclCategories: ["pubsub", "fast"],
  keySpecs: [keyAt(1, "not_key")],
  summary: "Post a message to a shard channel",
  since: "7.0.0",
  complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
  run: (ctx, argv) => ctx.out.integer(ctx.server.pubsub.spublish(argv[1], argv[2], ctx.now, ctx))
})

type PubsubSubcommand = Omit<Parameters<typeof command>[0], "group" | "flags" | "aclCategories">

/** A PUBSUB subcommand: named `pubsub|<name>`, in the pubsub group. */
const sub = (spec: PubsubSubcommand): CommandSpec =>
  command({
    ...spec,
    name: `pubsub|${spec.name}`,
    group: "pubsub",
    flags: ["pubsub", "loading", "stale"],
    aclCategories: ["pubsub", "slow"]
  })

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the names in `index`, those matching the pattern. */
const listChannels = (ctx: CommandContext, argv: ReadonlyArray<string>, index: ReadonlyMap<string, unknown>) => {
  if (argv.length > 3) {
    return ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try PUBSUB HELP.`)
  }
  const pattern = argv.length === 3 ? argv[2] : undefined
  const found: Array<string> = []
  for (const channel of index.keys()) {
    if (pattern === undefined || stringMatch(pattern, channel)) found.push(channel)
  }
  ctx.out.bulkArray(found)
}

/** PUBSUB NUMSUB / SHARDNUMSUB channel...: each channel and its number of subscribers. */
const countSubscribers = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  index: ReadonlyMap<string, ReadonlySet<unknown>>
) => {
  ctx.out.arrayHeader((argv.length - 2) * 2)
  for (let i = 2; i < argv.length; i++) {
    ctx.out.bulk(argv[i])
    ctx.out.integer(index.get(argv[i])?.size ?? 0)
  }
}

const channels = sub({
  name: "channels",
  arity: -2,
  summary: "List active channels",
  since: "2.8.0",
  complexity:
    "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
  run: (ctx, argv) => listChannels(ctx, argv, ctx.server.pubsub.channels)
})

const numsub = sub({
  name: "numsub",
  arity: -2,
  summary: "Get the count of subscribers for channels",
  since: "2.8.0",
  complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
  run: (ctx, argv) => countSubscribers(ctx, argv, ctx.server.pubsub.channels)
})

const shardchannels = sub({
  name: "shardchannels",
  arity: -2,
  summary: "List active shard channels",
  since: "7.0.0",
  complexity:
    "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
  run: (ctx, argv) => listChannels(ctx, argv, ctx.server.pubsub.shardChannels)
})

const shardnumsub = sub({
  name: "shardnumsub",
  arity: -2,
  summary: "Get the count of subscribers for shard channels",
  since: "7.0.0",
  complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
  run: (ctx, argv) => countSubscribers(ctx, argv, ctx.server.pubsub.shardChannels)
})

const numpat = sub({
  name: "numpat",
  arity: 2,
  summary: "Get the count of unique patterns pattern subscriptions",
  since: "2.8.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.integer(ctx.server.pubsub.patternCount)
})

const help = helpSubcommand("PUBSUB", { group: "pubsub", aclCategories: ["slow"], since: "6.2.0" }, [
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)"
])

const pubsub = command({
  name: "pubsub",
  arity: -2,
  flags: [],
  group: "pubsub",
  aclCategories: ["slow"],
  summary: "A container for Pub/Sub commands",
  since: "2.8.0",
  complexity: "Depends on subcommand.",
  subcommands: [channels, numsub, numpat, shardchannels, shardnumsub, help]
})

export const pubsubCommands: ReadonlyArray<CommandSpec> = [
  subscribe,
  unsubscribe,
  psubscribe,
  punsubscribe,
  publish,
  ssubscribe,
  sunsubscribe,
  spublish,
  pubsub
]
