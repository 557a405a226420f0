/**
 * Replication, both ways, as Redis 7.0 runs it.
 *
 * As a primary: a replica's connection sends REPLCONF (its port, `capa eof psync2`) then PSYNC.
 * If its replid and offset are in our history (the backlog), it gets `+CONTINUE` and the bytes
 * it missed; else `+FULLRESYNC <replid> <offset>`, an RDB of a copy-on-write snapshot taken at
 * that offset (written in slices while clients keep being served; `$EOF:<mark>` framing when the
 * replica can read it and repl-diskless-sync is yes, `$<length>` otherwise), then the stream. A
 * diskless transfer first waits repl-diskless-sync-delay for more replicas to share it; an
 * rdb-only client (redis-cli --rdb) gets the RDB and a closed connection.
 * The stream is the command log the AOF uses (src/keyspace/CommandLog.ts): every batch's
 * writes, with relative TTLs made absolute and expiries as DEL, handed to `feed` as the batch
 * ends; it goes into the backlog and to every replica. Replicas' REPLCONF ACKs answer WAIT and
 * count for min-replicas-to-write.
 *
 * As a replica (REPLICAOF host port): a MasterLink (MasterLink.ts) does the handshake, loads the
 * primary's RDB and applies its stream through `executor` (the server's dispatch, handed in by
 * the runtime), and passes the stream's bytes on unchanged to our own backlog and replicas, so a
 * chain keeps one offset space. REPLICAOF NO ONE keeps the old replid as replid2, so replicas of
 * the old primary can continue from us with a partial resync.
 *
 * Plain synchronous state, touched by commands inside a batch and by socket callbacks; the
 * background parts (the snapshot transfer, the once-a-second cron) are fibers of the server's scope.
 */
import { Alarm } from "../keyspace/Alarm.js"
import { Failover, type FailoverTarget } from "./Failover.js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
import type { KeyspaceSnapshot } from "../keyspace/Keyspace.js"
import { rdbSlices, type SnapshotTotals } from "../persistence/SnapshotFiles.js"
import type { ClientState } from "../session/ClientState.js"
import { Backlog } from "./Backlog.js"
import { MasterLink } from "./MasterLink.js"
import { type LoadingProgress, type ReplicationDeps, type ReplicationTraffic, yieldToEventLoop } from "./ReplicationDeps.js"

export const NOREPLICAS = "NOREPLICAS Not enough good replicas to write."
export const READONLY = "READONLY You can't write against a read only replica."
export const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."

const ZERO_REPLID = "0".repeat(40)
/** Unsent bytes a replica's socket may hold while a snapshot is written to it before we wait. */
const TRANSFER_HIGH_WATER = 8 * 1024 * 1024

export { type LoadingProgress, yieldToEventLoop } from "./ReplicationDeps.js"

export type ReplicaState = "wait_bgsave" | "send_bulk" | "online"

/** A replica connected to us (its connection is an ordinary client connection). */
class ReplicaPeer {
  state: ReplicaState | "handshake" = "handshake"
  listeningPort = 0
  announcedIp: string | undefined = undefined
  capaEof = false
  capaPsync2 = false
  ackOffset = 0
  /** Unix ms of the last REPLCONF ACK (lag). */
  ackAt: number
  /** The stream after the snapshot's offset, held until the snapshot is through. */
  pending: Array<Buffer> = []
  pendingBytes = 0
  /** The snapshot went by `$EOF:` framing: the stream starts with the replica's first ACK. */
  streamOnAck = false
  /** Asked with SYNC (before PSYNC existed): no `+FULLRESYNC` line before the RDB. */
  prePsync = false
  /** Stream bytes for an online replica, written once per turn of the event loop. */
  queued: Array<Buffer> = []
  /** REPLCONF rdb-only 1 (redis-cli --rdb): the snapshot, then the connection closes; no stream. */
  rdbOnly = false
  /** Unix ms it started waiting for a snapshot (repl-diskless-sync-delay counts from there). */
  waitingSince = 0

  constructor(readonly client: ClientState, now: number, private readonly traffic: ReplicationTraffic) {
    this.ackAt = now
  }

  get ip(): string {
    return this.announcedIp ?? this.client.address.slice(0, this.client.address.lastIndexOf(":"))
  }

  send(bytes: Buffer): void {
    this.traffic.outputBytes += bytes.length
    this.client.writeDirect(bytes)
  }
}

/** A client blocked in WAIT. */
interface Waiter {
  readonly client: ClientState
  readonly offset: number
  readonly replicas: number
}

export class Replication {
  replid = randomBytes(20).toString("hex")
  replid2 = ZERO_REPLID
  secondReplOffset = -1
  /** master_repl_offset when no backlog exists yet. */
  private baseOffset = 0
  backlog: Backlog | undefined = undefined
  readonly peers = new Map<number, ReplicaPeer>()
  /** Set while we are a replica. */
  link: MasterLink | undefined = undefined
  syncFull = 0
  syncPartialOk = 0
  syncPartialErr = 0
  /** Set while we load our primary's snapshot: commands not flagged `loading` get -LOADING. */
  loading: LoadingProgress | undefined = undefined
  /** Whether dispatch must ask `refusal` (a replica, or min-replicas-to-write set). */
  guardsCommands = false
  private waiters: Array<Waiter> = []
  private ackRequested = false
  private writesScheduled = false
  private transferring = false
  private lastPingAt = 0
  /** Wakes the once-a-second `tick`, which sleeps while there is no link, replica, WAIT or failover. */
  readonly tickAlarm = new Alarm()
  /** Wakes a diskless transfer waiting for more replicas (repl-diskless-sync-delay) when one arrives. */
  private readonly replicaArrival = new Alarm()

  readonly traffic: ReplicationTraffic = { inputBytes: 0, outputBytes: 0 }
  /** Set while our primary's commands run: they see keys whose time has passed (the primary decides). */
  readonly primaryCommand = { running: false }
  readonly failover: Failover = new Failover({
    caughtUp: (target) => this.caughtUpReplica(target),
    requestAcks: () => this.requestAcks(),
    follow: (host, port) => {
      this.follow(host, port)
    },
    promote: () => this.promote(),
    holdWrites: (held) => this.deps.holdWrites(held),
    log: (level, message) => this.deps.log(level, message)
  })

  constructor(readonly deps: ReplicationDeps) {
    deps.config.watch("min-replicas-to-write", () => this.refreshGuard())
    deps.config.watch("repl-backlog-size", (value) => this.backlog?.resize(Number(value)))
  }

  get role(): "master" | "slave" {
    return this.link === undefined ? "master" : "slave"
  }

  get offset(): number {
    return this.backlog?.offset ?? this.baseOffset
  }

  private setting(name: string, fallback: string): string {
    return this.deps.config.extra.get(name) ?? fallback
  }

  private numberSetting(name: string, fallback: number): number {
    return Number(this.setting(name, String(fallback)))
  }

  /** A replica leaves expiry to its primary (its DELs); a primary expires keys itself. */
  private refreshExpiry(): void {
    for (const db of this.deps.keyspace.databases) {
      db.expiresFromPrimary = this.link !== undefined
      db.primaryCommand = this.primaryCommand
    }
  }

  private refreshGuard(): void {
    this.refreshExpiry()
    this.guardsCommands = this.link !== undefined || this.numberSetting("min-replicas-to-write", 0) > 0
    // As a primary, the command log feeds the stream once a backlog exists; a replica passes
    // its primary's bytes on instead.
    const log = this.deps.keyspace.commandLog
    log.replicationFeed = this.link === undefined && this.backlog !== undefined ? (bytes) => this.feed(bytes) : undefined
  }

  private ensureBacklog(): Backlog {
    if (this.backlog === undefined) {
      this.backlog = new Backlog(this.numberSetting("repl-backlog-size", 1048576), this.baseOffset)
      this.deps.keyspace.commandLog.resetSelection()
      this.refreshGuard()
    }
    return this.backlog
  }

  // ------------------------------------------------------------------ the stream

  /** Bytes of the replication stream: into the backlog and to every replica. */
  feed(bytes: Buffer): void {
    const backlog = this.backlog
    if (backlog === undefined) return
    backlog.append(bytes)
    for (const peer of this.peers.values()) {
      if (peer.client.isClosed()) {
        this.peers.delete(peer.client.id)
        continue
      }
      if (peer.state === "online" && !peer.streamOnAck) {
        peer.queued.push(bytes)
        this.scheduleWrites()
      } else if (peer.state !== "handshake" && !peer.rdbOnly) {
        peer.pending.push(bytes)
        peer.pendingBytes += bytes.length
        this.checkOutputLimit(peer)
      }
    }
  }

  /**
   * Every batch's writes go to each replica once per turn of the event loop, as Redis writes a
   * replica's buffer once per loop: one socket write per batch cost a third of the throughput.
   */
  private scheduleWrites(): void {
    if (this.writesScheduled) return
    this.writesScheduled = true
    setImmediate(() => {
      this.writesScheduled = false
      for (const peer of this.peers.values()) {
        if (peer.queued.length === 0) continue
        const queued = peer.queued
        peer.queued = []
        peer.send(queued.length === 1 ? queued[0] : Buffer.concat(queued))
        this.checkOutputLimit(peer)
      }
    })
  }

  /** client-output-buffer-limit replica: a replica that falls this far behind is dropped. */
  private checkOutputLimit(peer: ReplicaPeer): void {
    const hard = Number(this.deps.config.outputBufferLimits.replica.hardBytes)
    if (hard > 0 && peer.client.unsentBytes() + peer.pendingBytes > hard) {
      this.deps.log("warning", `Client ${peer.client.address} scheduled to be closed ASAP for overcoming of output buffer limits.`)
      this.peers.delete(peer.client.id)
      peer.client.kill()
    }
  }

  /** The offset a client's writes so far reach, counting what its batch logged and has not yet fed. */
  writeOffset(): number {
    return this.offset + this.deps.keyspace.commandLog.pendingBytes
  }

  // ------------------------------------------------------------------ primary side: commands

  peerOf(client: ClientState): ReplicaPeer {
    let peer = this.peers.get(client.id)
    if (peer === undefined) {
      peer = new ReplicaPeer(client, this.deps.now(), this.traffic)
      this.peers.set(client.id, peer)
      this.tickAlarm.request(0)
    }
    return peer
  }

  /** An online replica matching `target` (any when undefined) that has acknowledged our whole stream. */
  findReplica(target: FailoverTarget | undefined): ReplicaPeer | undefined {
    for (const peer of this.peers.values()) {
      if (peer.client.isClosed() || peer.state === "handshake") continue
      if (target === undefined || (peer.ip === target.host && peer.listeningPort === target.port)) return peer
    }
    return undefined
  }

  private caughtUpReplica(target: FailoverTarget | undefined): FailoverTarget | undefined {
    for (const peer of this.peers.values()) {
      if (peer.client.isClosed() || peer.state !== "online" || peer.ackOffset !== this.offset) continue
      if (target === undefined || (peer.ip === target.host && peer.listeningPort === target.port)) {
        return { host: peer.ip, port: peer.listeningPort }
      }
    }
    return undefined
  }

  /** REPLCONF ACK <offset>: from an attached replica; nothing is replied. */
  acknowledge(client: ClientState, offset: number): void {
    const peer = this.peers.get(client.id)
    if (peer === undefined || peer.state === "handshake") return
    if (offset > peer.ackOffset) peer.ackOffset = offset
    peer.ackAt = this.deps.now()
    if (peer.streamOnAck) {
      // Its snapshot loaded: the stream held since the snapshot's offset goes now.
      peer.streamOnAck = false
      for (const bytes of peer.pending) peer.send(bytes)
      peer.pending = []
      peer.pendingBytes = 0
    }
    if (this.waiters.length > 0) this.serveWaiters()
    if (this.failover.state === "waiting-for-sync") this.failover.check(this.deps.now())
  }

  /**
   * PSYNC replid offset (SYNC: `psync2` false, no replid): `+CONTINUE` and the missed bytes into
   * `reply`, or a full resynchronization started in the background. Returns the reply text to
   * write before anything else, or undefined when the transfer job writes it.
   */
  psync(client: ClientState, replid: string, offset: number, isSync: boolean): string | undefined {
    const peer = this.peerOf(client)
    client.replicationRole = "replica"
    if (this.link !== undefined && this.link.state !== "connected") {
      // A replica whose own link is down cannot serve a replica (Redis's NOMASTERLINK).
      this.peers.delete(client.id)
      client.replicationRole = undefined
      return "-NOMASTERLINK Can't SYNC while not connected with my master\r\n"
    }
    const backlog = this.backlog
    const known = replid === this.replid || (replid === this.replid2 && offset <= this.secondReplOffset)
    if (!isSync && replid !== "?" && known && backlog !== undefined && backlog.holds(offset)) {
      this.syncPartialOk++
      peer.state = "online"
      peer.ackAt = this.deps.now()
      peer.ackOffset = offset - 1
      const missed = backlog.from(offset)
      this.deps.log("info", `Partial resynchronization request from ${client.address} accepted. Sending ${missed.length} bytes of backlog starting from offset ${offset}.`)
      return (peer.capaPsync2 ? `+CONTINUE ${this.replid}\r\n` : "+CONTINUE\r\n") + missed.latin1Slice()
    }
    if (!isSync && replid !== "?") this.syncPartialErr++
    this.syncFull++
    peer.prePsync = isSync
    peer.state = "wait_bgsave"
    peer.waitingSince = this.deps.now()
    peer.pending = []
    peer.pendingBytes = 0
    this.ensureBacklog()
    this.replicaArrival.request(0)
    this.startTransfers()
    return undefined
  }

  /** Starts the background snapshot transfer for the replicas waiting for one, unless one runs. */
  private startTransfers(): void {
    if (this.transferring) return
    this.transferring = true
    this.deps.fork(this.transferJob().pipe(Effect.ensuring(Effect.sync(() => {
      this.transferring = false
      if ([...this.peers.values()].some((peer) => peer.state === "wait_bgsave")) this.startTransfers()
    }))))
  }

  private waitingPeers(): Array<ReplicaPeer> {
    return [...this.peers.values()].filter((peer) => peer.state === "wait_bgsave" && !peer.client.isClosed())
  }

  /**
   * repl-diskless-sync-delay: a diskless transfer starts once the first waiting replica has waited
   * that many seconds (or repl-diskless-sync-max-replicas wait), so replicas arriving together
   * share one. A replica that cannot read `$EOF:` framing gets a disk-style transfer at once.
   */
  private waitForMoreReplicas(): Effect.Effect<void> {
    const self = this
    return Effect.gen(function*() {
      for (;;) {
        const waiting = self.waitingPeers()
        if (waiting.length === 0 || self.setting("repl-diskless-sync", "yes") !== "yes") return
        if (waiting.some((peer) => !peer.capaEof)) return
        const delay = self.numberSetting("repl-diskless-sync-delay", 5) * 1000
        const most = self.numberSetting("repl-diskless-sync-max-replicas", 0)
        if (delay <= 0 || (most > 0 && waiting.length >= most)) return
        const since = Math.min(...waiting.map((peer) => peer.waitingSince))
        const left = since + delay - self.deps.now()
        if (left <= 0) return
        // A replica arriving meanwhile may complete repl-diskless-sync-max-replicas: it ends the nap.
        yield* self.replicaArrival.sleepUntil(since + delay)
      }
    })
  }

  /** An rdb-only replica has its snapshot: the connection closes once it is flushed, no stream follows. */
  private endRdbOnly(peer: ReplicaPeer): void {
    this.peers.delete(peer.client.id)
    this.deps.log("info", `RDB transfer completed, rdb only replica (${peer.client.address}) should be disconnected asap`)
    peer.client.closeAfterReply = true
    peer.client.wakeBlocked()
  }

  /**
   * One snapshot for every replica waiting when it is taken: `+FULLRESYNC` with the offset it is
   * at, the RDB, then (after it) what the stream carried meanwhile.
   */
  private transferJob(): Effect.Effect<void> {
    const self = this
    return Effect.gen(function*() {
      yield* self.waitForMoreReplicas()
      // One snapshot at a time per keyspace: wait while BGSAVE or BGREWRITEAOF holds one.
      let snapshot: KeyspaceSnapshot | undefined
      let targets: Array<ReplicaPeer> = []
      for (;;) {
        targets = self.waitingPeers()
        if (targets.length === 0) return
        try {
          snapshot = self.deps.keyspace.snapshot()
          break
        } catch {
          yield* Effect.sleep(Duration.millis(50))
        }
      }
      const taken = snapshot
      yield* Effect.gen(function*() {
        // The snapshot and the offset it stands at, in one step: the stream from here on is held.
        const backlog = self.ensureBacklog()
        self.deps.keyspace.commandLog.resetSelection()
        const offset = backlog.offset
        const diskless = self.setting("repl-diskless-sync", "yes") === "yes"
        const now = self.deps.now()
        for (const peer of targets) {
          peer.state = "send_bulk"
          peer.pending = []
          peer.pendingBytes = 0
          if (!peer.prePsync) peer.send(Buffer.from(`+FULLRESYNC ${self.replid} ${offset}\r\n`, "latin1"))
        }
        const eofTargets = targets.filter((peer) => diskless && peer.capaEof)
        const lengthTargets = targets.filter((peer) => !(diskless && peer.capaEof))
        const mark = randomBytes(20).toString("hex")
        const totals: SnapshotTotals = { keys: 0, bytes: 0 }
        const kept: Array<Buffer> = []
        for (const peer of eofTargets) peer.send(Buffer.from(`$EOF:${mark}\r\n`, "latin1"))
        self.deps.log("info", `Starting BGSAVE for SYNC with target: ${eofTargets.length > 0 ? "replicas sockets" : "disk"}`)
        let newlineAt = self.deps.now()
        // As Redis: which database the stream is in when the snapshot ends (our primary's
        // session, when we pass its stream on; else the next command SELECTs anyway).
        const aux = [
          ...self.deps.auxFields(now),
          ["repl-stream-db", String(self.link === undefined ? 0 : self.deps.executor.currentDb())] as const,
          ["repl-id", self.replid] as const,
          ["repl-offset", String(offset)] as const
        ]
        for (const slice of rdbSlices(taken, now, aux, totals, self.deps.executor.functionLibraries())) {
          if (lengthTargets.length > 0) {
            kept.push(slice)
            // While the length is not known yet, a newline a second tells them we are alive.
            if (self.deps.now() - newlineAt >= 1000) {
              newlineAt = self.deps.now()
              for (const peer of lengthTargets) peer.send(Buffer.from("\n", "latin1"))
            }
          }
          for (const peer of eofTargets) peer.send(slice)
          // Each replica's socket drains before more is queued on it (a slow one slows the transfer).
          while (eofTargets.some((peer) => !peer.client.isClosed() && peer.client.unsentBytes() > TRANSFER_HIGH_WATER)) {
            yield* Effect.sleep(Duration.millis(1))
          }
          yield* yieldToEventLoop
        }
        for (const peer of eofTargets) {
          peer.send(Buffer.from(mark, "latin1"))
          if (peer.rdbOnly) {
            self.endRdbOnly(peer)
            continue
          }
          peer.state = "online"
          peer.streamOnAck = true
          peer.ackAt = self.deps.now()
        }
        if (lengthTargets.length > 0) {
          const header = Buffer.from(`$${totals.bytes}\r\n`, "latin1")
          for (const peer of lengthTargets) {
            peer.send(header)
            for (const slice of kept) {
              peer.send(slice)
              yield* yieldToEventLoop
              while (!peer.client.isClosed() && peer.client.unsentBytes() > TRANSFER_HIGH_WATER) {
                yield* Effect.sleep(Duration.millis(1))
              }
            }
            if (peer.rdbOnly) {
              self.endRdbOnly(peer)
              continue
            }
            peer.state = "online"
            peer.ackAt = self.deps.now()
            for (const bytes of peer.pending) peer.send(bytes)
            peer.pending = []
            peer.pendingBytes = 0
          }
        }
        self.deps.log("info", `Synchronization with ${targets.length} replica(s) succeeded (${totals.keys} keys, ${totals.bytes} bytes)`)
      }).pipe(Effect.ensuring(Effect.sync(() => taken.release())))
    })
  }

  // ------------------------------------------------------------------ WAIT and min-replicas

  /** Replicas whose ACK reached `offset`. */
  acknowledgedBy(offset: number): number {
    let count = 0
    for (const peer of this.peers.values()) {
      if (peer.state === "online" && !peer.client.isClosed() && peer.ackOffset >= offset) count++
    }
    return count
  }

  /** WAIT blocked: asks every replica for an ACK once this batch's writes are in the stream. */
  addWaiter(client: ClientState, offset: number, replicas: number): void {
    this.waiters.push({ client, offset, replicas })
    this.requestAcks()
  }

  removeWaiter(client: ClientState): void {
    this.waiters = this.waiters.filter((waiter) => waiter.client !== client)
  }

  requestAcks(): void {
    this.tickAlarm.request(0)
    if (this.ackRequested) return
    this.ackRequested = true
    // After the running batch: its commands are flushed into the stream before the GETACK.
    setImmediate(() => {
      this.ackRequested = false
      if (this.link === undefined && this.backlog !== undefined) {
        this.feed(Buffer.from("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n", "latin1"))
      }
    })
  }

  private serveWaiters(): void {
    const still: Array<Waiter> = []
    for (const waiter of this.waiters) {
      if (waiter.client.isClosed() || waiter.client.blocked === undefined) continue
      const count = this.acknowledgedBy(waiter.offset)
      if (count >= waiter.replicas) this.deps.unblock(waiter.client, Buffer.from(`:${count}\r\n`, "latin1"))
      else still.push(waiter)
    }
    this.waiters = still
  }

  /** Replicas online whose last ACK is at most min-replicas-max-lag seconds old. */
  goodReplicas(): number {
    const maxLag = this.numberSetting("min-replicas-max-lag", 10)
    const now = this.deps.now()
    let count = 0
    for (const peer of this.peers.values()) {
      if (peer.state === "online" && !peer.client.isClosed() && Math.floor((now - peer.ackAt) / 1000) <= maxLag) count++
    }
    return count
  }

  /**
   * Why a command may not run now (Redis's processCommand order: NOREPLICAS, READONLY,
   * MASTERDOWN), or undefined. `writes`: the command (or the EXEC) writes; `stale`: it may run
   * on a replica whose link is down.
   */
  refusal(client: ClientState, writes: boolean, stale: boolean): string | undefined {
    if (this.link === undefined) {
      const needed = this.numberSetting("min-replicas-to-write", 0)
      if (writes && needed > 0 && this.numberSetting("min-replicas-max-lag", 10) > 0 && this.goodReplicas() < needed) {
        return NOREPLICAS
      }
      return undefined
    }
    if (!client.remote) return undefined
    if (writes && this.setting("replica-read-only", "yes") === "yes") return READONLY
    if (!stale && this.link.state !== "connected" && this.setting("replica-serve-stale-data", "yes") === "no") return MASTERDOWN
    return undefined
  }

  // ------------------------------------------------------------------ replica side

  /** REPLICAOF host port. False when already following that primary. */
  follow(host: string, port: number): boolean {
    if (this.link !== undefined && this.link.host === host && this.link.port === port) return false
    this.link?.close()
    this.disconnectReplicas()
    this.link = new MasterLink(this, host, port)
    this.tickAlarm.request(0)
    this.refreshGuard()
    this.link.connect()
    return true
  }

  /**
   * AUX fields for the RDB files we write (Redis's rdbPopulateSaveInfo): where our history stands,
   * so a restart from the file resumes it. Nothing while we have no stream yet.
   */
  saveInfo(): Array<readonly [string, string]> {
    if (this.backlog === undefined) return []
    const db = this.link === undefined ? 0 : this.deps.executor.currentDb()
    return [["repl-stream-db", String(db)], ["repl-id", this.replid], ["repl-offset", String(this.offset)]]
  }

  /**
   * At start, from the RDB file loaded (as Redis 7.0): a replica takes the recorded history as its
   * own, so its PSYNC continues it; a primary keeps it as replid2, so its old replicas continue
   * with a partial resync under a new id.
   */
  resumeHistory(aux: ReadonlyMap<string, string>, asReplica: boolean): void {
    const replid = aux.get("repl-id") ?? ""
    const offset = Number(aux.get("repl-offset"))
    const db = Number(aux.get("repl-stream-db"))
    if (!/^[0-9a-f]{40}$/.test(replid) || !Number.isSafeInteger(offset) || offset < 0 || !Number.isInteger(db) || db < 0) return
    this.baseOffset = offset
    if (asReplica) {
      this.replid = replid
      this.backlog = new Backlog(this.numberSetting("repl-backlog-size", 1048576), offset)
      this.deps.executor.resetSession(db)
      this.deps.log("info", `Using the history of the RDB file (${replid}:${offset}) to try a partial resynchronization`)
      return
    }
    this.replid2 = replid
    this.secondReplOffset = offset + 1
    this.ensureBacklog()
    this.deps.log("info", `Keeping the history of the RDB file as ${replid} up to offset ${this.secondReplOffset}`)
  }

  /** DEBUG CHANGE-REPL-ID: a new history, the old one forgotten (no partial resync from either). */
  changeReplicationId(): void {
    this.replid = randomBytes(20).toString("hex")
    this.replid2 = ZERO_REPLID
    this.secondReplOffset = -1
  }

  /**
   * REPLICAOF NO ONE: we become a primary, with our history as replid2. Our replicas reconnect
   * (to learn the new id), except `handingOver`: our primary asking PSYNC ... FAILOVER.
   */
  promote(handingOver?: ClientState): void {
    if (this.link === undefined) return
    this.link.close()
    this.link = undefined
    this.replid2 = this.replid
    this.secondReplOffset = this.offset + 1
    this.replid = randomBytes(20).toString("hex")
    this.disconnectReplicas(handingOver)
    this.ensureBacklog()
    // Our own writes start the stream from here: the first one SELECTs its database.
    this.deps.keyspace.commandLog.resetSelection()
    this.refreshGuard()
    this.deps.log("info", `MASTER MODE enabled; new replication ID ${this.replid}, keeping ${this.replid2} up to offset ${this.secondReplOffset}`)
  }

  /** A full resynchronization from our primary starts: new history, our replicas resync too. */
  adoptHistory(replid: string, offset: number): void {
    this.replid = replid
    this.replid2 = ZERO_REPLID
    this.secondReplOffset = -1
    this.disconnectReplicas()
    this.backlog = new Backlog(this.numberSetting("repl-backlog-size", 1048576), offset)
    this.refreshGuard()
  }

  /** `+CONTINUE <replid>`: the primary's history goes on under a new id. */
  continueAs(replid: string): void {
    if (replid === "" || replid === this.replid) return
    this.replid2 = this.replid
    this.secondReplOffset = this.offset + 1
    this.replid = replid
    this.disconnectReplicas()
  }

  /** Passes bytes of our primary's stream on (chained replicas, our backlog). */
  passOn(bytes: Buffer): void {
    if (this.backlog === undefined) this.backlog = new Backlog(this.numberSetting("repl-backlog-size", 1048576), this.baseOffset)
    this.feed(bytes)
  }

  disconnectReplicas(except?: ClientState): void {
    for (const peer of [...this.peers.values()]) {
      if (peer.client === except) continue
      peer.client.kill()
      this.peers.delete(peer.client.id)
    }
  }

  // ------------------------------------------------------------------ cron

  /** Once a second: PINGs to replicas, ACKs to the primary, the link's reconnection and timeout. */
  /** `tick` has work: replicas to ping and time out, a link to keep, WAITs or a failover to follow. */
  get needsTicks(): boolean {
    return this.peers.size > 0 || this.link !== undefined || this.waiters.length > 0 || this.failover.state !== "no-failover"
  }

  tick(): void {
    const now = this.deps.now()
    for (const peer of this.peers.values()) {
      if (peer.client.isClosed()) this.peers.delete(peer.client.id)
    }
    // A replica that has not acknowledged for repl-timeout seconds is gone (SYNC clients never ACK).
    const timeout = this.numberSetting("repl-timeout", 60) * 1000
    for (const peer of this.peers.values()) {
      if (peer.state === "online" && !peer.prePsync && now - peer.ackAt > timeout) {
        this.deps.log("warning", `Disconnecting timedout replica (streaming sync): ${peer.ip}:${peer.listeningPort}`)
        this.peers.delete(peer.client.id)
        peer.client.kill()
      }
    }
    const period = this.numberSetting("repl-ping-replica-period", 10) * 1000
    if (this.link === undefined && this.backlog !== undefined && this.peers.size > 0 && now - this.lastPingAt >= period) {
      this.lastPingAt = now
      this.feed(Buffer.from("*1\r\n$4\r\nPING\r\n", "latin1"))
    }
    this.link?.tick(now)
    if (this.waiters.length > 0) this.serveWaiters()
    this.failover.check(now)
  }
}
