/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: client-side caching's commands over
 * src/tracking/Tracking.ts. Option parsing, checks and texts are Redis 7.0's.
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseInteger } from "../../protocol/arguments.js"
import { command, type CommandSpec } from "../Command.js"
import { TrackingState } from "../../session/TrackingState.js"

type ClientSubcommand = Omit<Parameters<typeof command>[0], "group">

const sub = (spec: ClientSubcommand): CommandSpec =>
  command({ ...spec, name: `client|${spec.name}`, group: "connection" })

const PLAIN = ["noscript", "loading", "stale"] as const
const PLAIN_ACL = ["slow", "connection"]

/** Whether one of the two is a prefix of the other (Redis's stringCheckPrefix). */
const overlaps = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a)

export const tracking = sub({
  name: "tracking",
  arity: -3,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Enable or disable server assisted client side caching support",
  since: "6.0.0",
  complexity: "O(1). Some options may introduce additional complexity.",
  run: (ctx, argv) => {
    const client = ctx.client
    let redirect = 0
    const options = new TrackingState()
    const prefixes: Array<string> = []
    for (let j = 3; j < argv.length; j++) {
      const more = argv.length - 1 - j
      if (isKeyword(argv[j], "REDIRECT") && more > 0) {
        j++
        if (redirect !== 0) return ctx.out.error("ERR A client can only redirect to a single other client")
        const id = parseInteger(argv[j])
        if (id === undefined) return ctx.out.error(ERR_NOT_INTEGER)
        const target = typeof id === "number" ? ctx.server.clients.get(id) : undefined
        if (target === undefined) return ctx.out.error("ERR The client ID you want redirect to does not exist")
        redirect = Number(id)
      } else if (isKeyword(argv[j], "BCAST")) options.bcast = true
      else if (isKeyword(argv[j], "OPTIN")) options.optin = true
      else if (isKeyword(argv[j], "OPTOUT")) options.optout = true
      else if (isKeyword(argv[j], "NOLOOP")) options.noloop = true
      else if (isKeyword(argv[j], "PREFIX") && more > 0) prefixes.push(argv[++j])
      else return ctx.out.error(ERR_SYNTAX)
    }
    if (isKeyword(argv[2], "OFF")) {
      ctx.server.tracking.disable(client)
      return ctx.out.ok()
    }
    if (!isKeyword(argv[2], "ON")) return ctx.out.error(ERR_SYNTAX)
    if (!options.bcast && prefixes.length > 0) return ctx.out.error("ERR PREFIX option requires BCAST mode to be enabled")
    const current = client.tracking
    if (current !== undefined && current.bcast !== options.bcast) {
      return ctx.out.error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it " +
          "with a different mode."
      )
    }
    if (options.bcast && (options.optin || options.optout)) {
      return ctx.out.error("ERR OPTIN and OPTOUT are not compatible with BCAST")
    }
    if (options.optin && options.optout) return ctx.out.error("ERR You can't specify both OPTIN mode and OPTOUT mode")
    if ((options.optin && current?.optout === true) || (options.optout && current?.optin === true)) {
      return ctx.out.error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it " +
          "with a different mode."
      )
    }
    if (options.bcast) {
      for (let i = 0; i < prefixes.length; i++) {
        const existing = current?.prefixes.find((prefix) => overlaps(prefix, prefixes[i]))
        if (existing !== undefined) {
          return ctx.out.error(
            `ERR Prefix '${prefixes[i]}' overlaps with an existing prefix '${existing}'. ` +
              "Prefixes for a single client must not overlap."
          )
        }
        for (let j = i + 1; j < prefixes.length; j++) {
          if (overlaps(prefixes[i], prefixes[j])) {
            return ctx.out.error(
              `ERR Prefix '${prefixes[i]}' overlaps with another provided prefix '${prefixes[j]}'. ` +
                "Prefixes for a single client must not overlap."
            )
          }
        }
      }
    }
    ctx.server.tracking.enable(client, ctx.keyspace, redirect, options, prefixes)
    ctx.out.ok()
  }
})

export const caching = sub({
  name: "caching",
  arity: 3,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Instruct the server about tracking or not keys in the next request",
  since: "6.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const state = ctx.client.tracking
    if (state === undefined) {
      return ctx.out.error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
      )
    }
    if (isKeyword(argv[2], "YES")) {
      if (!state.optin) return ctx.out.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
    } else if (isKeyword(argv[2], "NO")) {
      if (!state.optout) return ctx.out.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
    } else {
      return ctx.out.error(ERR_SYNTAX)
    }
    state.caching = true
    ctx.out.ok()
  }
})

export const getredir = sub({
  name: "getredir",
  arity: 2,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Get tracking notifications redirection client ID if any",
  since: "6.0.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.integer(ctx.client.tracking?.redirect ?? -1)
})

export const trackinginfo = sub({
  name: "trackinginfo",
  arity: 2,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Return information about server assisted client side caching for the current connection",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx) => {
    const out = ctx.out
    const state = ctx.client.tracking
    const flags: Array<string> = []
    if (state === undefined) flags.push("off")
    else {
      flags.push("on")
      if (state.bcast) flags.push("bcast")
      if (state.optin) {
        flags.push("optin")
        if (state.caching) flags.push("caching-yes")
      }
      if (state.optout) {
        flags.push("optout")
        if (state.caching) flags.push("caching-no")
      }
      if (state.noloop) flags.push("noloop")
      if (state.brokenRedirect) flags.push("broken_redirect")
    }
    out.mapHeader(3)
    out.bulk("flags")
    out.setHeader(flags.length)
    for (const flag of flags) out.bulk(flag)
    out.bulk("redirect")
    out.integer(state?.redirect ?? -1)
    out.bulk("prefixes")
    const prefixes = state?.prefixes ?? []
    out.arrayHeader(prefixes.length)
    for (const prefix of prefixes) out.bulk(prefix)
  }
})
