/**
 * Our link to the primary while we are a replica (REPLICAOF host port), as Redis 7.0's replica
 * runs it: connect; the handshake (PING, AUTH with masteruser/masterauth, REPLCONF listening-port,
 * REPLCONF capa eof capa psync2, PSYNC <replid> <offset+1>); then either `+CONTINUE` (the stream
 * goes on where we were) or `+FULLRESYNC` and the RDB (`$<len>` or `$EOF:<mark>` framing), which
 * replaces the keyspace; then the stream, applied without replies through the executor and passed
 * on unchanged to our own replicas. REPLCONF ACK <offset> goes back every second and on GETACK.
 * A dropped link is retried by the cron, with a partial resynchronization when it can be.
 *
 * Socket callbacks do the work synchronously (each is one step on the keyspace, like a batch);
 * only the snapshot loads on a fiber, in slices, while clients get -LOADING.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import { rdbLoadSteps, type RdbLoadPace, type RdbLoadResult } from "../persistence/rdb/RdbLoader.js"
import type { ClientState } from "../session/ClientState.js"
import type { Failover } from "./Failover.js"
import { type LoadingProgress, type ReplicationDeps, type ReplicationTraffic, yieldToEventLoop } from "./ReplicationDeps.js"
import { StreamReader } from "./StreamReader.js"

/** Bytes of a snapshot loaded between two turns of the event loop (Redis serves clients every 2 MB). */
const LOAD_SLICE = 256 * 1024

/** Errors from the primary's commands logged at most this many times per link (they mean divergence). */
const LOGGED_ERRORS = 10

/** ROLE's names for the link's states. */
export type LinkState = "connect" | "connecting" | "handshake" | "sync" | "connected"

const command = (...argv: ReadonlyArray<string>): Buffer => {
  let text = `*${argv.length}\r\n`
  for (const arg of argv) text += `$${Buffer.byteLength(arg, "latin1")}\r\n${arg}\r\n`
  return Buffer.from(text, "latin1")
}

/** What the link reads and drives of our replica side (the server's Replication). */
export interface LinkedReplica {
  readonly deps: ReplicationDeps
  readonly failover: Failover
  readonly replid: string
  readonly offset: number
  readonly traffic: ReplicationTraffic
  syncPartialOk: number
  /** Set while the primary's snapshot loads (commands get -LOADING). */
  loading: LoadingProgress | undefined
  continueAs(replid: string): void
  adoptHistory(replid: string, offset: number): void
  passOn(bytes: Buffer): void
}

export class MasterLink {
  state: LinkState = "connect"
  private socket: net.Socket | undefined = undefined
  private reader = new StreamReader()
  /** Replies the handshake waits for, in order. */
  private expected: Array<(line: string) => void> = []
  private transfer: { eofMark: string | undefined; remaining: number; chunks: Array<Buffer>; size: number } | undefined
  private awaitingBulk = false
  private fullSync: { replid: string; offset: number } | undefined = undefined
  /** Unix ms of the last bytes from the primary. */
  lastIoAt = 0
  /** Unix ms the link went down (0: never up). */
  downSince = 0
  private lastAckAt = 0
  private lastAttemptAt = 0
  private closed = false
  private loggedErrors = 0
  client: ClientState | undefined = undefined
  /** Bytes of the snapshot transfer (INFO's master_sync_*). */
  syncTotalBytes = -1
  syncReadBytes = 0

  constructor(private readonly replication: LinkedReplica, readonly host: string, readonly port: number) {}

  private get deps() {
    return this.replication.deps
  }

  connect(): void {
    if (this.closed) return
    const now = this.deps.now()
    this.lastAttemptAt = now
    this.state = "connecting"
    this.reader = new StreamReader()
    this.expected = []
    this.transfer = undefined
    this.awaitingBulk = false
    const socket = net.connect({ host: this.host, port: this.port })
    socket.setNoDelay(true)
    this.socket = socket
    this.deps.log("info", `Connecting to MASTER ${this.host}:${this.port}`)
    socket.on("connect", () => {
      if (this.socket !== socket) return
      this.lastIoAt = this.deps.now()
      this.client = this.deps.registerMasterClient(
        `${socket.remoteAddress ?? this.host}:${socket.remotePort ?? this.port}`,
        `${socket.localAddress ?? "?"}:${socket.localPort ?? 0}`,
        () => this.drop()
      )
      this.handshake()
    })
    socket.on("data", (chunk) => {
      if (this.socket !== socket) return
      this.lastIoAt = this.deps.now()
      try {
        this.receive(chunk)
      } catch (error) {
        this.deps.log("warning", `Replication link error: ${error instanceof Error ? error.message : String(error)}`)
        this.drop()
      }
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      if (this.socket === socket) this.drop()
    })
  }

  private write(bytes: Buffer): void {
    this.socket?.write(bytes)
  }

  private handshake(): void {
    const config = this.deps.config.extra
    this.state = "handshake"
    const steps: Array<[Buffer, (line: string) => void]> = []
    steps.push([command("PING"), (line) => {
      // An error that only says we must authenticate is fine at this point (Redis accepts it).
      if (line.startsWith("-") && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
        throw new Error(`Error reply to PING from master: '${line}'`)
      }
    }])
    const password = config.get("masterauth") ?? ""
    if (password !== "") {
      const user = config.get("masteruser") ?? ""
      steps.push([user === "" ? command("AUTH", password) : command("AUTH", user, password), (line) => {
        if (line.startsWith("-")) throw new Error(`Unable to AUTH to MASTER: ${line}`)
      }])
    }
    const announcedPort = Number(config.get("replica-announce-port") ?? "0")
    steps.push([command("REPLCONF", "listening-port", String(announcedPort > 0 ? announcedPort : this.deps.tcpPort())), () => {}])
    const announcedIp = config.get("replica-announce-ip") ?? ""
    if (announcedIp !== "") steps.push([command("REPLCONF", "ip-address", announcedIp), () => {}])
    steps.push([command("REPLCONF", "capa", "eof", "capa", "psync2"), () => {}])
    // Each step is sent once the previous reply came (PSYNC must follow the REPLCONFs' replies).
    const next = (index: number) => {
      if (index === steps.length) return this.sendPsync()
      const [bytes, check] = steps[index]
      this.expected.push((line) => {
        check(line)
        next(index + 1)
      })
      this.write(bytes)
    }
    next(0)
  }

  private sendPsync(): void {
    const replication = this.replication
    // Our own history (as a replica, or a primary turned replica) lets the new primary continue it.
    const handingOver = replication.failover.state === "failover-in-progress"
    const psync = handingOver
      ? command("PSYNC", replication.replid, String(replication.offset + 1), "FAILOVER")
      : command("PSYNC", replication.replid, String(replication.offset + 1))
    this.expected.push((line) => {
      if (line.startsWith("+FULLRESYNC")) {
        const [, replid, offset] = line.split(" ")
        this.fullSync = { replid, offset: Number(offset) }
        this.state = "sync"
        this.awaitingBulk = true
        this.syncTotalBytes = -1
        this.syncReadBytes = 0
        this.deps.log("info", `Full resync from master: ${replid}:${offset}`)
        if (handingOver) replication.failover.completed()
      } else if (line.startsWith("+CONTINUE")) {
        const replid = line.slice("+CONTINUE".length).trim()
        replication.continueAs(replid)
        replication.syncPartialOk++
        this.state = "connected"
        this.deps.log("info", "Successful partial resynchronization with master.")
        if (handingOver) replication.failover.completed()
        this.sendAck()
      } else if (handingOver) {
        // The target refused to take over: we are the primary again.
        replication.failover.abort(`PSYNC FAILOVER refused: ${line}`)
      } else {
        throw new Error(`Unexpected reply to PSYNC from master: ${line}`)
      }
    })
    this.write(psync)
  }

  private receive(chunk: Buffer): void {
    this.replication.traffic.inputBytes += chunk.length
    this.reader.feed(chunk)
    while (this.expected.length > 0) {
      if (this.state === "handshake") this.reader.skipNewlines()
      const line = this.reader.line()
      if (line === undefined) return
      if (line === "") continue
      this.expected.shift()!(line)
    }
    if (this.awaitingBulk) {
      this.reader.skipNewlines()
      const line = this.reader.line()
      if (line === undefined) return
      if (!line.startsWith("$")) throw new Error(`Bad protocol from MASTER, the first byte is not '$': ${line}`)
      this.awaitingBulk = false
      const eof = line.startsWith("$EOF:")
      const remaining = eof ? -1 : Number(line.slice(1))
      this.transfer = { eofMark: eof ? line.slice(5) : undefined, remaining, chunks: [], size: 0 }
      this.syncTotalBytes = eof ? -1 : remaining
    }
    if (this.transfer !== undefined && !this.readSnapshot()) return
    if (this.state === "connected") this.applyStream()
  }

  /** Collects the RDB; loads it once whole. False while more is needed. */
  private readSnapshot(): boolean {
    const transfer = this.transfer!
    if (transfer.eofMark === undefined) {
      const part = this.reader.take(transfer.remaining)
      transfer.chunks.push(part)
      transfer.size += part.length
      transfer.remaining -= part.length
      this.syncReadBytes = transfer.size
      if (transfer.remaining > 0) return false
      this.load(Buffer.concat(transfer.chunks))
      return true
    }
    // `$EOF:` framing: the payload ends with the mark, and the primary sends nothing after it
    // until our first ACK.
    const part = this.reader.takeAll()
    transfer.chunks.push(part)
    transfer.size += part.length
    this.syncReadBytes = transfer.size
    const mark = transfer.eofMark
    if (transfer.size < mark.length) return false
    // Only the last bytes are looked at for the mark: the chunks are joined once, at the end.
    let tail = ""
    for (let i = transfer.chunks.length - 1; i >= 0 && tail.length < mark.length; i--) {
      const chunk = transfer.chunks[i]
      tail = chunk.latin1Slice(Math.max(0, chunk.length - (mark.length - tail.length))) + tail
    }
    if (tail !== mark) return false
    const whole = Buffer.concat(transfer.chunks)
    this.load(whole.subarray(0, whole.length - mark.length))
    return true
  }

  /**
   * Loads the primary's snapshot in steps on a background fiber, serving clients between them
   * (they get -LOADING meanwhile, as from Redis): every `LOAD_SLICE` bytes, or after every key
   * while key-load-delay (Redis's test hook, microseconds per key) is set. The stream that arrives
   * meanwhile waits in the reader.
   */
  private load(rdb: Buffer): void {
    const replication = this.replication
    const sync = this.fullSync!
    const socket = this.socket
    const now = this.deps.now()
    this.transfer = undefined
    this.deps.log("info", `MASTER <-> REPLICA sync: receiving ${rdb.length} bytes from master`)
    this.deps.executor.flushAll(now)
    const pace: RdbLoadPace = { every: LOAD_SLICE, loadedBytes: 0, aux: new Map() }
    const loading: LoadingProgress = { startedAt: now, totalBytes: rdb.length, pace }
    replication.loading = loading
    const steps = rdbLoadSteps(rdb, this.deps.keyspace, this.deps.config, now, pace, undefined, true)
    const self = this
    const job = Effect.gen(function*() {
      for (;;) {
        const delay = Number(self.deps.config.extra.get("key-load-delay") ?? "0")
        pace.every = delay === 0 ? LOAD_SLICE : 0
        const step = steps.next()
        if (step.done === true) return step.value
        if (delay > 0) yield* Effect.sleep(Duration.micros(BigInt(delay)))
        // A negative delay sleeps one microsecond once in -delay keys, as Redis's debugDelay.
        else if (delay < 0 && Math.floor(Math.random() * -delay) === 0) yield* Effect.sleep(Duration.micros(1n))
        else if (delay === 0) yield* yieldToEventLoop
      }
    })
    this.deps.fork(job.pipe(
      Effect.flatMap((result) => Effect.sync(() => this.loaded(result, sync, socket))),
      // A bad snapshot (RdbFormatError): the link is dropped and the cron tries again.
      Effect.catchDefect((defect) => Effect.sync(() => {
        this.deps.log("warning", `Failed trying to load the MASTER synchronization DB from socket: ${defect instanceof Error ? defect.message : String(defect)}`)
        this.drop()
      })),
      Effect.ensuring(Effect.sync(() => {
        if (replication.loading === loading) replication.loading = undefined
      }))
    ))
  }

  /**
   * The snapshot is in: its history is ours. If the link dropped while it loaded, the cron
   * reconnects and continues from it with a partial resynchronization.
   */
  private loaded(result: RdbLoadResult, sync: { replid: string; offset: number }, socket: net.Socket | undefined): void {
    const replication = this.replication
    if (this.closed) return
    const now = this.deps.now()
    this.deps.executor.replaceFunctionLibraries(result.functionLibraries)
    this.deps.executor.endBatch()
    const streamDb = Number(result.aux.get("repl-stream-db") ?? "0")
    this.deps.executor.resetSession(Number.isInteger(streamDb) && streamDb >= 0 ? streamDb : 0)
    this.deps.executor.afterFullSync(now)
    replication.adoptHistory(sync.replid, sync.offset)
    replication.loading = undefined
    this.fullSync = undefined
    this.deps.log("info", `MASTER <-> REPLICA sync: Finished with success (${result.keys} keys loaded)`)
    if (socket === undefined || this.socket !== socket) return
    this.state = "connected"
    this.lastIoAt = now
    this.sendAck()
    // What the primary sent while we loaded.
    try {
      this.applyStream()
    } catch (error) {
      this.deps.log("warning", `Replication link error: ${error instanceof Error ? error.message : String(error)}`)
      this.drop()
    }
  }

  /** Applies every whole command received, moving the offset by each one's bytes. */
  private applyStream(): void {
    const executor = this.deps.executor
    const now = this.deps.now()
    let ran = false
    for (;;) {
      const next = this.reader.command()
      if (next === undefined) break
      const { argv, bytes } = next
      if (argv.length >= 2 && argv[0].toLowerCase() === "replconf" && argv[1].toLowerCase() === "getack") {
        // The ACK reports the offset before the GETACK itself, as Redis's replica does.
        this.sendAck()
      } else {
        const error = executor.run(argv, now)
        if (error !== undefined && this.loggedErrors++ < LOGGED_ERRORS) {
          this.deps.log("warning", `== CRITICAL == This replica is sending an error to its master: '${error}' after processing the command '${argv[0]}'`)
        }
        ran = true
      }
      this.replication.passOn(bytes)
    }
    if (ran) executor.endBatch()
  }

  private sendAck(): void {
    this.lastAckAt = this.deps.now()
    this.write(command("REPLCONF", "ACK", String(this.replication.offset)))
  }

  /** Once a second (the cron): ACK, reconnect, time out. */
  tick(now: number): void {
    if (this.closed) return
    if (this.state === "connected" && now - this.lastAckAt >= 1000) this.sendAck()
    const timeout = Number(this.deps.config.extra.get("repl-timeout") ?? "60") * 1000
    // While a snapshot loads, the link is neither timed out nor reconnected (a second load would race it).
    if (this.replication.loading !== undefined) return
    if (this.state !== "connect" && this.lastIoAt > 0 && now - this.lastIoAt > timeout) {
      this.deps.log("warning", "MASTER timeout: no data nor PING received...")
      this.drop()
    }
    if (this.state === "connect" && now - this.lastAttemptAt >= 1000) this.connect()
  }

  /** The link broke (or CLIENT KILL TYPE master): retried by the cron. */
  drop(): void {
    if (this.socket === undefined) return
    const socket = this.socket
    this.socket = undefined
    socket.destroy()
    if (this.client !== undefined) this.deps.unregisterClient(this.client)
    this.client = undefined
    this.transfer = undefined
    this.fullSync = undefined
    if (this.state === "connected") this.downSince = this.deps.now()
    this.state = "connect"
    this.lastAttemptAt = this.deps.now()
  }

  /** REPLICAOF NO ONE or another primary: the link ends for good. */
  close(): void {
    this.closed = true
    this.drop()
  }
}
