/**
 * FAILOVER (Redis 7.0's coordinated failover), on the primary: writes are held (a pause of its
 * own, apart from CLIENT PAUSE's), the primary waits until a replica (the target, or the first
 * one) has acknowledged its whole stream, then becomes that replica's replica and sends
 * `PSYNC <replid> <offset> FAILOVER`, which tells the replica to take over. When the replica
 * answers `+CONTINUE`/`+FULLRESYNC` the failover is done and writes go on (refused now, as on any
 * replica); an error reply, or TIMEOUT without FORCE, aborts it and we stay (or become again) the
 * primary. INFO's master_failover_state shows the phase.
 */
export type FailoverState = "no-failover" | "waiting-for-sync" | "failover-in-progress"

export interface FailoverTarget {
  readonly host: string
  readonly port: number
}

/** What the failover drives: the replication side it runs on. */
export interface FailoverHost {
  /** The replica that has acknowledged everything: the target if given (online), else the first. */
  caughtUp(target: FailoverTarget | undefined): FailoverTarget | undefined
  /** Asks every replica for an ACK now (REPLCONF GETACK). */
  requestAcks(): void
  /** Becomes a replica of `target` (the link sends PSYNC ... FAILOVER). */
  follow(host: string, port: number): void
  /** Back to primary (an aborted failover in progress). */
  promote(): void
  holdWrites(held: boolean): void
  log(level: "info" | "warning", message: string): void
}

export class Failover {
  state: FailoverState = "no-failover"
  target: FailoverTarget | undefined = undefined
  force = false
  /** Unix ms the wait for the replica ends (0: no TIMEOUT). */
  deadline = 0

  constructor(private readonly host: FailoverHost) {}

  begin(target: FailoverTarget | undefined, force: boolean, deadline: number, now: number): void {
    this.state = "waiting-for-sync"
    this.target = target
    this.force = force
    this.deadline = deadline
    this.host.log("info", target === undefined ? "FAILOVER requested to any replica." : `FAILOVER requested to ${target.host}:${target.port}.`)
    this.host.holdWrites(true)
    this.host.requestAcks()
    this.check(now)
  }

  /** After each ACK and once a second: moves on when a replica has caught up, or when time is up. */
  check(now: number): void {
    if (this.state === "failover-in-progress") {
      // The target never answered our PSYNC FAILOVER in time.
      if (this.deadline !== 0 && now >= this.deadline) this.abort("Failover target did not answer before timeout")
      return
    }
    if (this.state !== "waiting-for-sync") return
    const ready = this.host.caughtUp(this.target)
    if (ready !== undefined) return this.handOver(ready)
    if (this.deadline !== 0 && now >= this.deadline) {
      if (this.force && this.target !== undefined) return this.handOver(this.target)
      this.abort("Replica never caught up before timeout")
    }
  }

  private handOver(target: FailoverTarget): void {
    this.target = target
    this.state = "failover-in-progress"
    this.host.log("info", `Failover target ${target.host}:${target.port} is synced, failing over.`)
    this.host.follow(target.host, target.port)
  }

  /** The target answered our PSYNC FAILOVER: it is the primary now. */
  completed(): void {
    if (this.state !== "failover-in-progress") return
    this.host.log("info", "Failover request to replica accepted.")
    this.clear()
  }

  /** FAILOVER ABORT, a timeout, or the target refusing: we stay (or become again) the primary. */
  abort(reason: string): void {
    if (this.state === "no-failover") return
    this.host.log("warning", `FAILOVER to ${this.target === undefined ? "any replica" : `${this.target.host}:${this.target.port}`} aborted: ${reason}`)
    const wasHandingOver = this.state === "failover-in-progress"
    this.clear()
    if (wasHandingOver) this.host.promote()
  }

  private clear(): void {
    this.state = "no-failover"
    this.target = undefined
    this.force = false
    this.deadline = 0
    this.host.holdWrites(false)
  }
}
