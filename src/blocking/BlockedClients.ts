/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ... with nothing to pop yet), served first
 * come, first served per key, as Redis's blocked.c does it:
 *
 * - A blocking command that finds nothing calls `block`: its client waits in the FIFO queue of
 *   each of its keys, and its connection stops running commands (the connection fiber waits for
 *   `client.blocked` to clear; see Connection.ts). No fiber is started per blocked command.
 * - A key becomes ready when a list or sorted set is created at it while someone waits there
 *   (a push, ZADD, a STORE, RENAME, MOVE, COPY, ...: Redis's dbAdd) or when SWAPDB brings one
 *   in. The keyspace observer notes every key created where a client waits; after each command
 *   (`afterCommand`, from dispatch) those whose new value is a list or sorted set are queued, and
 *   unless the command is inside EXEC (which serves after the whole transaction) the queue is
 *   served at once, inside the same atomic step: each waiting client of the value's type, oldest
 *   first, gets its pop (logged for the AOF as the pop it performed), until the key is empty.
 *   A key created as another type does not wake anyone, even if it changes type later (7.0).
 * - A client that is gone (disconnected, killed) is never served: its element stays.
 * - Timeouts run on Effect's Clock in one fiber per server (`runTimeouts`), which sleeps until the
 *   earliest deadline (a new, earlier one wakes it), so a wait times out at its very instant.
 *
 * The observer sits in `keyspace.observers` only while some client is blocked.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { Alarm, runOnAlarm } from "../keyspace/Alarm.js"
import type { Database, KeyspaceHooks } from "../keyspace/Database.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import { typeName } from "../keyspace/Value.js"
import { ReplyWriter } from "../protocol/ReplyWriter.js"
import type { ClientState } from "../session/ClientState.js"
import { sendsUnblockedReply } from "../observability/ReplyMode.js"
import { Deadlines, KeyWait, type WaitKind, WaitQueue } from "../session/KeyWaits.js"

/**
 * What blocking reads of the running command's context: the command contract's CommandContext
 * is the `Context` of the server's BlockedClients. A served client's wait gets the same context
 * with its own database, client and reply buffer.
 */
export interface BlockingContext {
  readonly keyspace: Keyspace
  readonly db: Database
  readonly now: number
  readonly out: ReplyWriter
  readonly client: ClientState
  readonly server: { readonly stats: { errorReplies: number } }
}

/** Pops for a blocked client from `key` (see ServeWait in src/session/KeyWaits.ts). */
export type Serve<Context> = (ctx: Context, key: string) => boolean | void


/** What a timed-out wait answers: the null array (Redis's replyToBlockedClientTimedOut). */
const NULL_ARRAY = [Buffer.from("*-1\r\n"), Buffer.from("_\r\n")]
export const timeoutReply = (protocol: number): Buffer => NULL_ARRAY[protocol === 3 ? 1 : 0]
const UNBLOCKED_ERROR = Buffer.from("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")

export class BlockedClients<Context extends BlockingContext = BlockingContext> {
  /** Keys were created or databases swapped where clients wait: `afterCommand` has work. */
  pending = false
  private readonly queues = new Map<Database, Map<string, WaitQueue<ClientState>>>()
  private blockedCount = 0
  private timedCount = 0
  private keyspace: Keyspace | undefined = undefined
  private installed = false
  /** Keys created where someone waits, as (database, key) pairs, checked after the command. */
  private created: Array<Database | string> = []
  private flushedDbs: Array<Database> = []
  /** Keys written where stream waits are, as (database, key) pairs. */
  private touchedStreams: Array<Database | string> = []
  /** Keys to serve, as (database, key) pairs, each once (Redis's ready_keys). */
  private ready: Array<Database | string> = []
  private readonly readySet = new Map<Database, Set<string>>()
  private readonly deadlines = new Deadlines<ClientState>()
  /** Wakes the timeout fiber for a deadline earlier than the one it sleeps until. */
  private readonly timeoutAlarm = new Alarm()
  /** The replies of served clients are written here, one at a time. */
  private readonly out = new ReplyWriter()

  private readonly observer: KeyspaceHooks = {
    beforeWrite: (db, key) => {
      const queue = this.queues.get(db)?.get(key)
      if (queue === undefined) return
      // A write to a key that is not stored yet creates it (Redis's dbAdd).
      if (db.get(key, Number.NEGATIVE_INFINITY) === undefined) {
        this.created.push(db, key)
        this.pending = true
      }
      // Any change of a key concerns the stream waits on it (new entries, a group or the key gone).
      if (queue.streamWaits > 0) {
        this.touchedStreams.push(db, key)
        this.pending = true
      }
    },
    expired: () => {},
    flushed: (db) => {
      if (this.queues.has(db)) {
        this.flushedDbs.push(db)
        this.pending = true
      }
    }
  }

  /** Clients blocked now (INFO's blocked_clients). */
  get size(): number {
    return this.blockedCount
  }

  /** Blocked clients with a timeout (INFO's clients_in_timeout_table). */
  get timedSize(): number {
    return this.timedCount
  }

  /** Blocks the client of `ctx` on `keys` (its database); the command replies nothing now. */
  block(
    ctx: Context,
    kind: WaitKind,
    keys: ReadonlyArray<string>,
    deadline: number,
    command: string,
    serve: Serve<Context>
  ): void {
    const db = ctx.db
    const distinct = [...new Set(keys)]
    const wait = new KeyWait(ctx.client, db, kind, distinct, deadline, serve, command)
    let byKey = this.queues.get(db)
    if (byKey === undefined) this.queues.set(db, byKey = new Map())
    for (const key of distinct) {
      let queue = byKey.get(key)
      if (queue === undefined) byKey.set(key, queue = new WaitQueue(db, key))
      wait.nodes.push(queue.append(wait))
    }
    ctx.client.blocked = wait
    this.blockedCount++
    if (deadline > 0) {
      this.timedCount++
      this.deadlines.add(wait)
      this.timeoutAlarm.request(deadline)
    }
    this.keyspace = ctx.keyspace
    if (!this.installed) {
      ctx.keyspace.observers.push(this.observer)
      this.installed = true
    }
  }

  /**
   * Marks `key` ready for the stream waits on it (XADD's signalKeyAsReady; any write there is
   * noticed by the observer too, this is for writes that bypass the hooks).
   */
  signalReady(db: Database, key: string): void {
    if ((this.queues.get(db)?.get(key)?.streamWaits ?? 0) === 0) return
    this.touchedStreams.push(db, key)
    this.pending = true
  }

  /** Ends the client's wait without a reply (disconnect, kill, shutdown): nothing was popped. */
  release(client: ClientState): void {
    if (client.blocked !== undefined) this.unblock(client.blocked, undefined)
  }

  /** Ends the client's wait with `reply` (a busy script's caller, once the script ends). */
  finish(client: ClientState, reply: Buffer): boolean {
    const wait = client.blocked
    if (wait === undefined) return false
    this.unblock(wait, reply)
    return true
  }

  /**
   * CLIENT UNBLOCK: ends the client's wait as a timeout would, or with the UNBLOCKED error.
   * False when it is not blocked.
   */
  interrupt(client: ClientState, withError: boolean): boolean {
    const wait = client.blocked
    if (wait === undefined) return false
    this.unblock(wait, withError ? UNBLOCKED_ERROR : wait.timeoutReply?.() ?? timeoutReply(client.protocol))
    return true
  }

  /** Ends a wait that is not on keys (WAIT) with its reply. */
  complete(client: ClientState, reply: Buffer): void {
    if (client.blocked !== undefined) this.unblock(client.blocked, reply)
  }

  /** After every command: queues the keys it made ready and, outside EXEC, serves them. */
  afterCommand(ctx: Context): void {
    this.noteReadyKeys(ctx.now)
    if (ctx.client.inExec) {
      // Served after EXEC itself, the last command to end.
      this.pending = this.ready.length > 0
      return
    }
    this.serveReady(ctx)
    if (this.blockedCount === 0) this.uninstall()
    this.pending = false
  }

  /** Times out every wait whose deadline is at or before `now`. */
  timeOutDue(now: number): void {
    for (;;) {
      const wait = this.deadlines.earliest()
      if (wait === undefined || wait.deadline > now) return
      this.unblock(wait, wait.timeoutReply?.() ?? timeoutReply(wait.client.protocol))
    }
  }

  /** The earliest deadline of a blocked client, if any. */
  nextDeadline(): number | undefined {
    return this.deadlines.earliest()?.deadline
  }

  /**
   * The timeout fiber of a server: sleeps on Effect's Clock until the earliest deadline, then
   * times out, in one step on the keyspace, every wait that is due.
   */
  runTimeouts(keyspace: Ref.Ref<Keyspace>): Effect.Effect<never> {
    return runOnAlarm(
      this.timeoutAlarm,
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(keyspace, (current) => {
          this.timeOutDue(now)
          return [this.nextDeadline() ?? Number.POSITIVE_INFINITY, current]
        }))
    )
  }

  /** Turns the keys created during the command into ready keys when they hold what waiters pop. */
  private noteReadyKeys(now: number): void {
    const created = this.created
    const flushedDbs = this.flushedDbs
    const touched = this.touchedStreams
    if (created.length === 0 && flushedDbs.length === 0 && touched.length === 0) return
    this.created = []
    this.flushedDbs = []
    this.touchedStreams = []
    for (let i = 0; i < created.length; i += 2) {
      const db = created[i] as Database
      const key = created[i + 1] as string
      if (this.queues.get(db)?.has(key) === true && this.holdsPoppable(db, key, now)) this.markReady(db, key)
    }
    for (let i = 0; i < touched.length; i += 2) {
      const db = touched[i] as Database
      const key = touched[i + 1] as string
      if ((this.queues.get(db)?.get(key)?.streamWaits ?? 0) > 0) this.markReady(db, key)
    }
    // SWAPDB: every key with waiters that now holds a list or sorted set (Redis's scanDatabaseForReadyKeys).
    for (const db of flushedDbs) {
      const byKey = this.queues.get(db)
      if (byKey === undefined) continue
      for (const [key, queue] of byKey) if (queue.streamWaits > 0 || this.holdsPoppable(db, key, now)) this.markReady(db, key)
    }
  }

  private holdsPoppable(db: Database, key: string, now: number): boolean {
    const value = db.get(key, now)
    if (value === undefined) return false
    const type = typeName(value)
    return type === "list" || type === "zset"
  }

  private markReady(db: Database, key: string): void {
    let keys = this.readySet.get(db)
    if (keys === undefined) this.readySet.set(db, keys = new Set())
    if (keys.has(key)) return
    keys.add(key)
    this.ready.push(db, key)
  }

  /** Serves the ready keys (Redis's handleClientsBlockedOnKeys), until no key is ready. */
  private serveReady(ctx: Context): void {
    while (this.ready.length > 0) {
      const ready = this.ready
      this.ready = []
      this.readySet.clear()
      for (let i = 0; i < ready.length; i += 2) this.serveKey(ctx, ready[i] as Database, ready[i + 1] as string)
    }
  }

  /** Serves the clients waiting on one key, oldest first, while it holds something for them. */
  private serveKey(ctx: Context, db: Database, key: string): void {
    const queue = this.queues.get(db)?.get(key)
    if (queue === undefined) return
    const value = db.get(key, ctx.now)
    if (value === undefined && queue.streamWaits === 0) return
    let kind = value === undefined ? undefined : typeName(value)
    let node = queue.head
    while (node !== undefined) {
      const next = node.next
      const wait = node.wait
      if (wait.kind === "stream" && wait.client.isClosed()) this.unblock(wait, undefined)
      else if (wait.kind === "stream") this.serveOne(ctx, wait, key)
      else if (wait.kind === kind) {
        if (wait.client.isClosed()) {
          // Gone (or being killed): it waits no more, and nothing is popped for it.
          this.unblock(wait, undefined)
        } else {
          this.serveOne(ctx, wait, key)
          // A BLMOVE may have created its destination, where others wait.
          this.noteReadyKeys(ctx.now)
          if (db.get(key, ctx.now) === undefined) {
            if (queue.streamWaits === 0) return
            kind = undefined
          }
        }
      }
      node = next
    }
  }

  private serveOne(ctx: Context, wait: KeyWait<ClientState>, key: string): void {
    const out = this.out
    out.protocol = wait.client.protocol
    const served: Context = { ...ctx, db: wait.db, out, client: wait.client }
    // The wait holds the serve function `block` was given, a Serve<Context> (see ServeWait).
    const serve = wait.serve as Serve<Context>
    try {
      if (serve(served, key) === false) {
        out.truncate(0)
        return
      }
    } catch (defect) {
      out.truncate(0)
      out.error(`ERR internal error in '${wait.command}': ${defect instanceof Error ? defect.message : String(defect)}`)
    }
    ctx.server.stats.errorReplies += out.errorCount
    out.errorCount = 0
    this.unblock(wait, out.take())
  }

  /** Takes the wait out of every queue and hands the client its reply (none: it just stops waiting). */
  private unblock(wait: KeyWait<ClientState>, reply: Buffer | undefined): void {
    const client = wait.client
    if (client.blocked !== wait) return
    for (const node of wait.nodes) {
      const queue = node.queue
      queue.remove(node)
      if (queue.size === 0) {
        const byKey = this.queues.get(queue.db)
        byKey?.delete(queue.key)
        if (byKey?.size === 0) this.queues.delete(queue.db)
      }
    }
    client.blocked = undefined
    this.blockedCount--
    if (wait.deadline > 0) this.timedCount--
    if (reply !== undefined) {
      // CLIENT REPLY OFF or SKIP: the wait ends, its reply is not sent.
      if (sendsUnblockedReply(client)) client.unblockedReply = reply
      client.wakeBlocked()
    }
    // The observer cannot leave while a keyspace hook may be running: `afterCommand` removes it.
    if (this.blockedCount === 0) this.pending = true
  }

  private uninstall(): void {
    if (!this.installed || this.keyspace === undefined) return
    const at = this.keyspace.observers.indexOf(this.observer)
    if (at >= 0) this.keyspace.observers.splice(at, 1)
    this.installed = false
    this.created = []
    this.flushedDbs = []
  }
}
