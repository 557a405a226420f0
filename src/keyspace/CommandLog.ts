/**
 * The write commands the keyspace has applied, in the order it applied them, as RESP: what the
 * append-only file stores (Redis's "propagation"). Plain synchronous state beside the keyspace:
 * a batch of commands appends to it inside its atomic step, and the batch's end hands the bytes
 * to the `sink` (the AOF), before any reply of that batch leaves.
 *
 * What is logged is what makes replay deterministic: a write command as the client sent it,
 * unless the command logs another form itself (`rewrite`: relative expiry times become absolute
 * PEXPIREAT/PXAT, INCRBYFLOAT becomes SET KEEPTTL, ...); and a DEL for every key that expired.
 * A SELECT goes before a command whenever its database differs from the previous one's. The
 * commands a transaction (EXEC) logs go between MULTI and EXEC, written only if it logs any.
 *
 * Nothing is recorded while `sink` is unset (persistence off): the checks cost a field read.
 */
import { ReplyWriter } from "../protocol/ReplyWriter.js"

/** Where the log's bytes go (the AOF). */
export interface CommandLogSink {
  /**
   * Takes the bytes of a batch's commands, in order. Returns a token to wait on before the
   * batch's replies may be sent (appendfsync always), or -1 when they may go at once.
   */
  write(bytes: Buffer): number
  /** Runs `then` once the bytes up to `token` are on disk. */
  whenDurable(token: number, then: () => void): void
}

const INT64_MAX_TEXT = "9223372036854775807"

/** An absolute time in ms as an integer argument (times past int64 clamp to its maximum). */
export const millisArgument = (at: number): string =>
  at >= 2 ** 63 ? INT64_MAX_TEXT : Number.isSafeInteger(at) ? String(at) : BigInt(Math.trunc(at)).toString()

export class CommandLog {
  sink: CommandLogSink | undefined = undefined
  /** Where the same bytes go for replicas (src/replication/Replication.ts), when we are a primary with a backlog. */
  replicationFeed: ((bytes: Buffer) => void) | undefined = undefined
  private readonly encoded = new ReplyWriter()
  /** The database the previous logged command ran in (-1: none yet, so the next one SELECTs). */
  private selectedDb = -1
  /** The running command logged its own form: its argv is not logged after it. */
  private rewritten = false
  /** Inside EXEC; and whether its MULTI was logged (before its first command). */
  private inTransaction = false
  private multiLogged = false
  /** The token of the last flush that must become durable before replies go (-1: none). */
  lastToken = -1

  get enabled(): boolean {
    return this.sink !== undefined || this.replicationFeed !== undefined
  }

  /** Bytes logged and not yet flushed (WAIT counts them in the offset it waits for). */
  get pendingBytes(): number {
    return this.encoded.size
  }

  /** Before a command runs. */
  beginCommand(): void {
    this.rewritten = false
  }

  /** After a write command ran: logs its argv when it changed the keyspace and did not log another form. */
  endCommand(db: number, argv: ReadonlyArray<string>, changed: boolean): void {
    if (changed && !this.rewritten) this.append(db, argv)
  }

  /**
   * The running command is never logged as itself (Redis's preventCommandPropagation): it logs
   * what it did piece by piece with `rewrite`, if anything (XREADGROUP, XCLAIM, XAUTOCLAIM).
   */
  preventOwnForm(): void {
    this.rewritten = true
  }

  /** Logs `argv` in place of the running command's own (call once per command to log, in order). */
  rewrite(db: number, argv: ReadonlyArray<string>): void {
    if (!this.enabled) return
    this.rewritten = true
    this.append(db, argv)
  }

  append(db: number, argv: ReadonlyArray<string>): void {
    if (!this.enabled) return
    if (db !== this.selectedDb) {
      this.encoded.arrayHeader(2)
      this.encoded.bulk("SELECT")
      this.encoded.bulk(String(db))
      this.selectedDb = db
    }
    if (this.inTransaction && !this.multiLogged) {
      this.multiLogged = true
      this.encoded.raw("*1\r\n$5\r\nMULTI\r\n")
    }
    this.encoded.arrayHeader(argv.length)
    for (let i = 0; i < argv.length; i++) this.encoded.bulk(argv[i])
  }

  /** EXEC starts running its commands: what they log goes between MULTI and EXEC. */
  beginTransaction(): void {
    this.inTransaction = true
    this.multiLogged = false
  }

  /** EXEC is done: closes the MULTI block if one was opened. */
  endTransaction(): void {
    if (this.inTransaction && this.multiLogged) this.encoded.raw("*1\r\n$4\r\nEXEC\r\n")
    this.inTransaction = false
    this.multiLogged = false
  }

  /** Hands what was logged since the last flush to the sink; the token to wait on, or -1. */
  flush(): number {
    if (this.encoded.size === 0 || !this.enabled) return -1
    const bytes = this.encoded.take()
    this.replicationFeed?.(bytes)
    if (this.sink === undefined) return -1
    const token = this.sink.write(bytes)
    if (token >= 0) this.lastToken = token
    return token
  }

  /** Runs `then` once the bytes up to `token` (from `flush`) are durable. */
  whenDurable(token: number, then: () => void): void {
    if (this.sink === undefined) then()
    else this.sink.whenDurable(token, then)
  }

  /** A new file starts without a selected database (the next command SELECTs again). */
  resetSelection(): void {
    this.selectedDb = -1
  }
}
