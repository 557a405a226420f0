/**
 * Client-side caching (Redis 7.0's CLIENT TRACKING): which clients may hold which keys, and the
 * invalidation messages they get when those keys change.
 *
 * - Default mode: a tracking client's read-only commands remember the keys they read (by name, in
 *   any database, as Redis does); the first change to such a key sends `invalidate [key]` to every
 *   client that read it and forgets them. OPTIN remembers only after CLIENT CACHING YES, OPTOUT
 *   skips after CLIENT CACHING NO (for the next command, or the whole MULTI/EXEC).
 * - BCAST: nothing is remembered; every change to a key under one of the client's prefixes is
 *   announced, one message per prefix with its keys sorted, once the command (or EXEC) ends.
 * - NOLOOP: no messages about what the client changed itself.
 * - Messages are RESP3 pushes, or for a client that REDIRECTs, go to that other client: a push
 *   when it speaks RESP3, a `__redis__:invalidate` pub/sub message when it is a RESP2 subscriber.
 *   A redirect to a client that left answers `tracking-redir-broken` (RESP3 only).
 * - A flush (FLUSHDB, FLUSHALL) invalidates everything: a null for every tracking client.
 * - The table is bounded by `tracking-table-max-keys`: past it, the oldest keys are invalidated.
 *
 * The running command's client gets its messages after the reply (Redis's pending invalidations);
 * others get them in their outbox at once. The observer sits in the keyspace only while some
 * client tracks, so writes cost nothing otherwise; dispatch pays one boolean per command.
 */
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Database, KeyspaceHooks } from "../keyspace/Database.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import type { Hub } from "../pubsub/Hub.js"
import type { CommandInfo } from "../protocol/CommandInfo.js"
import { findKeys } from "../protocol/key-specs.js"
import { ReplyWriter } from "../protocol/ReplyWriter.js"
import type { ClientState } from "../session/ClientState.js"
import { TrackingState } from "../session/TrackingState.js"

const INVALIDATE_CHANNEL = "__redis__:invalidate"

interface Prefix {
  readonly clients: Set<ClientState>
  /** Keys changed since the last broadcast, and who changed each first (for NOLOOP). */
  keys: Map<string, ClientState | undefined>
}

/** A message for the running command's client, sent after its reply. */
type Pending = { readonly key: string } | { readonly flush: true }

/** The running command as tracking sees it (a CommandContext): its client, reply and time. */
export interface TrackingCaller {
  readonly client: ClientState
  readonly out: ReplyWriter
  readonly now: number
}

export class Tracking {
  /** Some client tracks: dispatch tells this module about commands (`begin`/`end`). */
  enabled = false
  private readonly clients = new Set<ClientState>()
  /** Key → clients that may have cached it. */
  private readonly table = new Map<string, Set<ClientState>>()
  private readonly prefixes = new Map<string, Prefix>()
  private broadcastPending = false
  /** The client whose command is running (messages to it wait for its reply). */
  private current: ClientState | undefined = undefined
  private pending: Array<Pending> = []
  private flushedInCommand = false
  private keyspace: Keyspace | undefined = undefined
  private installed = false
  private readonly encoder = new ReplyWriter()

  private readonly observer: KeyspaceHooks = {
    beforeWrite: (_db: Database, key: string) => this.invalidate(key),
    expired: () => {},
    flushed: () => this.flushed()
  }

  constructor(
    private readonly config: RuntimeConfig,
    private readonly hub: Hub,
    private readonly clientById: (id: number) => ClientState | undefined
  ) {}

  /** Keys in the table (INFO's tracking_total_keys). */
  get size(): number {
    return this.table.size
  }

  /** Clients with tracking on (INFO's tracking_clients). */
  get clientCount(): number {
    return this.clients.size
  }

  /** Client entries over all keys of the table (INFO's tracking_total_items). */
  get itemCount(): number {
    let items = 0
    for (const readers of this.table.values()) items += readers.size
    return items
  }

  /** BCAST prefixes some client follows (INFO's tracking_total_prefixes). */
  get prefixCount(): number {
    return this.prefixes.size
  }

  enable(client: ClientState, keyspace: Keyspace, redirect: number, options: TrackingState, prefixes: Array<string>) {
    const state = client.tracking ?? new TrackingState()
    state.brokenRedirect = false
    state.redirect = redirect
    state.optin = options.optin
    state.optout = options.optout
    state.noloop = options.noloop
    if (options.bcast) {
      state.bcast = true
      for (const prefix of prefixes.length === 0 ? [""] : prefixes) {
        if (!state.prefixes.includes(prefix)) state.prefixes.push(prefix)
        let entry = this.prefixes.get(prefix)
        if (entry === undefined) this.prefixes.set(prefix, entry = { clients: new Set(), keys: new Map() })
        entry.clients.add(client)
      }
      state.prefixes.sort(compareBytes)
    }
    client.tracking = state
    this.clients.add(client)
    this.enabled = true
    this.keyspace = keyspace
    if (!this.installed) {
      keyspace.observers.push(this.observer)
      this.installed = true
    }
  }

  disable(client: ClientState): void {
    const state = client.tracking
    if (state === undefined) return
    for (const prefix of state.prefixes) {
      const entry = this.prefixes.get(prefix)
      entry?.clients.delete(client)
      if (entry !== undefined && entry.clients.size === 0) this.prefixes.delete(prefix)
    }
    client.tracking = undefined
    this.clients.delete(client)
    if (this.clients.size === 0) {
      this.enabled = false
      this.table.clear()
      if (this.installed && this.keyspace !== undefined) {
        const at = this.keyspace.observers.indexOf(this.observer)
        if (at >= 0) this.keyspace.observers.splice(at, 1)
        this.installed = false
      }
    }
  }

  /** Before a command runs (the outermost one: EXEC's queued commands run inside it). */
  begin(ctx: TrackingCaller): void {
    if (this.current === undefined) this.current = ctx.client
  }

  /** After a command ran: the keys it read are remembered; messages wait for the outermost one. */
  end(ctx: TrackingCaller, spec: CommandInfo, argv: ReadonlyArray<string>): void {
    const client = ctx.client
    const state = client.tracking
    if (state !== undefined && !state.bcast && spec.flags.includes("readonly") && !spec.flags.includes("pubsub")) {
      if (!((state.optin && !state.caching) || (state.optout && state.caching))) this.remember(client, spec, argv)
    }
    if (client.inExec) return
    if (state !== undefined && client.transaction === undefined && !spec.name.startsWith("client|")) state.caching = false
    this.current = undefined
    this.flushedInCommand = false
    const pending = this.pending
    if (pending.length > 0) {
      this.pending = []
      for (const message of pending) this.send(client, "key" in message ? message.key : undefined, ctx.out, ctx.now)
    }
    if (this.broadcastPending) this.broadcast(ctx)
  }

  private remember(client: ClientState, spec: CommandInfo, argv: ReadonlyArray<string>): void {
    for (const { position } of findKeys(spec, argv)) {
      const key = argv[position]
      let readers = this.table.get(key)
      if (readers === undefined) this.table.set(key, readers = new Set())
      readers.add(client)
    }
    const limit = Number(this.config.extra.get("tracking-table-max-keys") ?? "1000000")
    if (limit > 0) {
      for (const key of this.table.keys()) {
        if (this.table.size <= limit) break
        this.invalidateTracked(key)
      }
    }
  }

  /** A key changed: its readers are told, and BCAST prefixes note it. */
  private invalidate(key: string): void {
    if (this.prefixes.size > 0) {
      for (const [prefix, entry] of this.prefixes) {
        if (!key.startsWith(prefix)) continue
        if (!entry.keys.has(key)) entry.keys.set(key, this.current)
        this.broadcastPending = true
      }
      // A change outside any command (active expiry): announce it now.
      if (this.current === undefined && this.broadcastPending) this.broadcast(undefined)
    }
    this.invalidateTracked(key)
  }

  private invalidateTracked(key: string): void {
    const readers = this.table.get(key)
    if (readers === undefined) return
    this.table.delete(key)
    for (const target of readers) {
      const state = target.tracking
      if (state === undefined || state.bcast || target.isClosed()) continue
      if (target === this.current) {
        if (!state.noloop) this.pending.push({ key })
      } else {
        this.send(target, key, undefined, undefined)
      }
    }
  }

  private flushed(): void {
    this.table.clear()
    // FLUSHALL empties every database: still one null per client.
    if (this.current !== undefined) {
      if (this.flushedInCommand) return
      this.flushedInCommand = true
    }
    for (const client of this.clients) {
      if (client === this.current) this.pending.push({ flush: true })
      else this.send(client, undefined, undefined, undefined)
    }
  }

  /** BCAST messages for the keys changed since the last time, one per prefix and client. */
  private broadcast(ctx: TrackingCaller | undefined): void {
    this.broadcastPending = false
    const prefixes = [...this.prefixes.keys()].sort(compareBytes)
    for (const prefix of prefixes) {
      const entry = this.prefixes.get(prefix)!
      if (entry.keys.size === 0) continue
      const keys = [...entry.keys].sort(([a], [b]) => compareBytes(a, b))
      entry.keys = new Map()
      for (const client of entry.clients) {
        const noloop = client.tracking?.noloop === true
        const names = noloop ? keys.filter(([, writer]) => writer !== client).map(([key]) => key) : keys.map(([key]) => key)
        if (names.length === 0) continue
        const own = ctx !== undefined && client === ctx.client
        this.sendKeys(client, names, own ? ctx.out : undefined, ctx?.now)
      }
    }
  }

  /** `invalidate` for one key (undefined: a flush's null) to `client` or where it redirects. */
  private send(client: ClientState, key: string | undefined, out: ReplyWriter | undefined, now: number | undefined) {
    this.sendKeys(client, key === undefined ? undefined : [key], out, now)
  }

  private sendKeys(
    client: ClientState,
    keys: ReadonlyArray<string> | undefined,
    out: ReplyWriter | undefined,
    now: number | undefined
  ): void {
    const state = client.tracking
    if (state === undefined) return
    let target = client
    let redirected = false
    if (state.redirect !== 0) {
      const found = this.clientById(state.redirect)
      if (found === undefined || found.isClosed()) {
        state.brokenRedirect = true
        if (client.protocol > 2) {
          this.write(client, out, now, (writer) => {
            writer.pushHeader(2)
            writer.bulk("tracking-redir-broken")
            writer.integer(state.redirect)
          })
        }
        return
      }
      target = found
      redirected = true
      // The reply being written belongs to the running client, not to the one redirected to.
      if (target !== client) out = undefined
    }
    const writeKeys = (writer: ReplyWriter) => {
      // A flush's null is spelled in the tracking client's protocol, as Redis does.
      if (keys === undefined) writer.raw(client.protocol > 2 ? "_\r\n" : "$-1\r\n")
      else {
        writer.arrayHeader(keys.length)
        for (const key of keys) writer.bulk(key)
      }
    }
    if (target.protocol > 2) {
      this.write(target, out, now, (writer) => {
        writer.pushHeader(2)
        writer.bulk("invalidate")
        writeKeys(writer)
      })
    } else if (redirected && target.pubsub?.subscribed === true) {
      this.write(target, out, now, (writer) => {
        writer.pushHeader(3)
        writer.bulk("message")
        writer.bulk(INVALIDATE_CHANNEL)
        writeKeys(writer)
      })
    }
  }

  private write(target: ClientState, out: ReplyWriter | undefined, now: number | undefined, encode: (w: ReplyWriter) => void) {
    if (out !== undefined) {
      const protocol = out.protocol
      out.protocol = target.protocol
      encode(out)
      out.protocol = protocol
      return
    }
    this.encoder.protocol = target.protocol
    encode(this.encoder)
    this.hub.push(target, this.encoder.take(), now)
  }
}

const compareBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
