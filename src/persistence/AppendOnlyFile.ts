/**
 * The append-only file as the command log's sink: every batch's write commands are appended
 * (one `write` per batch, in the batch's step, so the file's order is the execution order), and
 * made durable by the `appendfsync` policy:
 *
 * - `always`: the batch's replies wait until an fdatasync covers its bytes. Syncs run in libuv's
 *   thread pool, one at a time, each covering everything written before it started — so all the
 *   batches that arrive during one sync share the next (group commit, as Redis does per event
 *   loop turn). No acknowledged write is ever lost.
 * - `everysec`: a sync at most once a second (`syncIfBehind`, driven by Persistence's fiber).
 * - `no`: the OS decides.
 *
 * A rewrite (BGREWRITEAOF) writes a compact file from a snapshot in the background; meanwhile
 * every new batch goes both to the current file and to `rewriteBuffer`. `finishRewrite` appends
 * the buffer to the new file, syncs it, and renames it over the old one in one synchronous step
 * (no batch can run in between), so no command is lost or applied twice.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { LatencyProbe } from "../keyspace/LatencyProbe.js"
import type { CommandLogSink } from "../keyspace/CommandLog.js"

export type FsyncPolicy = "always" | "everysec" | "no"

interface DurabilityWaiter {
  readonly token: number
  readonly then: () => void
}

const writeAll = (fd: number, bytes: Buffer): void => {
  let offset = 0
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset)
}

/**
 * Renames `temp` over `target` and makes the rename durable. The file replaced is held open
 * across the rename and closed in the thread pool: freeing a large file's blocks happens at its
 * last close, and on the event loop that took ~20 ms per 50 MB (measured), a pause for every
 * client (Redis closes it in a background thread for the same reason).
 */
export const replaceFile = (temp: string, target: string): void => {
  let old: number | undefined
  try {
    old = fs.openSync(target, "r")
  } catch {
    // Nothing to replace.
  }
  fs.renameSync(temp, target)
  syncDirectory(path.dirname(target))
  if (old !== undefined) fs.close(old, () => {})
}

/** fsyncs a directory so a rename in it survives a crash (a no-op where directories cannot be opened). */
const syncDirectory = (directory: string): void => {
  let fd: number | undefined
  try {
    fd = fs.openSync(directory, "r")
    fs.fsyncSync(fd)
  } catch {
    // Not supported on this platform: the rename is then as durable as the OS makes it.
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

export class AppendOnlyFile implements CommandLogSink {
  /** Bytes handed to `write` since the file was opened (tokens are positions in this stream). */
  private accepted = 0
  /** Bytes of that stream in the file (the rest wait in `unwritten` after a failed write). */
  private written = 0
  /** Everything up to here is on disk. */
  private synced = 0
  private unwritten: Array<Buffer> = []
  /** How much of `unwritten[0]` a failed write had already put in the file. */
  private unwrittenOffset = 0
  private syncing = false
  /** Counts file switches (a rewrite's rename), so a sync of the old file is not taken for one of the new. */
  private generation = 0
  private waiters: Array<DurabilityWaiter> = []
  /** Commands logged since a rewrite's snapshot, or undefined when no rewrite runs. */
  private rewriteBuffer: Array<Buffer> | undefined = undefined
  private closed = false
  /**
   * The last write or sync error, cleared by the next success (INFO's aof_last_write_status).
   * While it is set, write commands are refused (MISCONF) and unwritten bytes are retried.
   */
  lastError: Error | undefined = undefined
  /**
   * The latency monitor (set by Persistence): aof-write and which kind it was (pending-fsync,
   * active-child, alone), and aof-fsync-always, the time a sync kept `always` replies waiting.
   */
  latencyProbe: LatencyProbe | undefined = undefined
  /** Whether a background save or rewrite runs (for aof-write-active-child). */
  childActive: () => boolean = () => this.rewriting

  private constructor(
    readonly filePath: string,
    private fd: number,
    /** The file's size: what was there when opened plus what was written since. */
    public size: number,
    public fsync: FsyncPolicy
  ) {}

  /** Opens (creating) the file for appending. */
  static open(filePath: string, fsync: FsyncPolicy): AppendOnlyFile {
    fs.mkdirSync(path.dirname(filePath), { recursive: true })
    const fd = fs.openSync(filePath, "a")
    return new AppendOnlyFile(filePath, fd, fs.fstatSync(fd).size, fsync)
  }

  write(bytes: Buffer): number {
    if (this.closed) return -1
    this.accepted += bytes.length
    this.unwritten.push(bytes)
    this.rewriteBuffer?.push(bytes)
    this.writeUnwritten()
    return this.fsync === "always" ? this.accepted : -1
  }

  whenDurable(token: number, then: () => void): void {
    if (token <= this.synced) return then()
    this.waiters.push({ token, then })
    this.startSync()
  }

  /** everysec's tick (and a retry after a failed write): syncs when something was written since the last sync. */
  syncIfBehind(): void {
    if (this.unwritten.length > 0) this.writeUnwritten()
    if (this.written > this.synced) this.startSync()
  }

  /** Bytes accepted but not yet known to be on disk. */
  get unsyncedBytes(): number {
    return this.accepted - this.synced
  }

  get rewriting(): boolean {
    return this.rewriteBuffer !== undefined
  }

  /** From now on, new commands are also kept for the rewritten file. */
  beginRewrite(): void {
    this.rewriteBuffer = []
  }

  abortRewrite(): void {
    this.rewriteBuffer = undefined
  }

  /**
   * Completes a rewrite whose snapshot part is in `tempPath`: appends the commands logged since,
   * syncs, and renames it over this file, which then continues as the new one. Synchronous.
   */
  finishRewrite(tempPath: string): void {
    const buffered = this.rewriteBuffer ?? []
    this.rewriteBuffer = undefined
    const fd = fs.openSync(tempPath, "a")
    try {
      for (const bytes of buffered) writeAll(fd, bytes)
      fs.fdatasyncSync(fd)
    } catch (error) {
      fs.closeSync(fd)
      throw error
    }
    // Everything accepted is now in the new file, synced: unwritten bytes included.
    replaceFile(tempPath, this.filePath)
    const old = this.fd
    this.fd = fd
    this.generation++
    this.size = fs.fstatSync(fd).size
    this.unwritten = []
    this.unwrittenOffset = 0
    this.written = this.accepted
    this.synced = this.accepted
    this.lastError = undefined
    // The old file is gone from the directory; its blocks are freed at this close (see replaceFile).
    fs.close(old, () => {})
    this.releaseWaiters()
  }

  /** Makes everything written durable and closes the file (shutdown). */
  close(): void {
    if (this.closed) return
    this.writeUnwritten()
    this.closed = true
    try {
      fs.fdatasyncSync(this.fd)
      this.synced = this.written
    } finally {
      fs.closeSync(this.fd)
      this.releaseWaiters()
    }
  }

  private writeUnwritten(): void {
    const probe = this.latencyProbe !== undefined && this.latencyProbe.monitoring ? this.latencyProbe : undefined
    if (probe === undefined) return this.writePending()
    const started = probe.micros()
    const kind = this.syncing ? "aof-write-pending-fsync" : this.childActive() ? "aof-write-active-child" : "aof-write-alone"
    this.writePending()
    probe.phaseEnded(kind, started)
    probe.phaseEnded("aof-write", started)
  }

  private writePending(): void {
    try {
      while (this.unwritten.length > 0) {
        const bytes = this.unwritten[0]
        while (this.unwrittenOffset < bytes.length) {
          const count = fs.writeSync(this.fd, bytes, this.unwrittenOffset, bytes.length - this.unwrittenOffset)
          this.unwrittenOffset += count
          this.written += count
          this.size += count
        }
        this.unwritten.shift()
        this.unwrittenOffset = 0
      }
      this.lastError = undefined
    } catch (error) {
      // What was written stays; the rest is retried from where it stopped (`syncIfBehind`).
      this.lastError = error as Error
    }
  }

  private startSync(): void {
    if (this.syncing || this.closed) return
    if (this.unwritten.length > 0) this.writeUnwritten()
    this.syncing = true
    const target = this.written
    const generation = this.generation
    const probe = this.fsync === "always" && this.latencyProbe !== undefined && this.latencyProbe.monitoring
      ? this.latencyProbe
      : undefined
    const started = probe !== undefined ? probe.micros() : 0
    fs.fdatasync(this.fd, (error) => {
      this.syncing = false
      if (probe !== undefined) probe.phaseEnded("aof-fsync-always", started)
      if (this.closed || generation !== this.generation) return
      if (error !== null) {
        this.lastError = error
        return
      }
      if (this.unwritten.length === 0) this.lastError = undefined
      if (target > this.synced) this.synced = target
      this.releaseWaiters()
      if (this.waiters.length > 0) this.startSync()
    })
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return
    const waiting = this.waiters
    this.waiters = []
    for (const waiter of waiting) {
      if (waiter.token <= this.synced) waiter.then()
      else this.waiters.push(waiter)
    }
  }
}
