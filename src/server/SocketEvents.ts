/**
 * The small Effect wrapper over a `node:net` socket that a connection fiber waits on.
 *
 * Node pushes events (data, end, drain, close); the connection fiber pulls. Everything that
 * happens while the fiber is busy is recorded here, and `wait` wakes the fiber once for all of
 * it, so a burst of pipelined chunks becomes one batch. While the fiber is parked waiting for
 * input, a chunk may instead be run at once by `runInline` (see Connection's fast path).
 * `@effect/platform`'s Socket is not used: it forks a fiber per chunk with no ordering and has no
 * read backpressure.
 */
import * as Effect from "effect/Effect"
import type * as net from "node:net"

export class SocketEvents {
  /** Chunks read and not yet handed to the parser. */
  chunks: Array<Buffer> = []
  chunkBytes = 0
  /** The peer finished sending (half-close); replies may still be written. */
  ended = false
  /** The socket is gone (closed, reset, or destroyed by us). */
  closed = false
  /** Shutdown was announced: finish what has arrived, flush, close. */
  shuttingDown = false
  /** Pub/sub messages wait in the client's outbox to be written (set by `wakeForOutput`). */
  outputPending = false
  /** A defect raised while running a chunk in the socket's callback; the fiber rethrows it. */
  failure: unknown = undefined
  /**
   * Runs a chunk right away while the fiber is parked waiting for input (Connection's fast
   * path); returns false to leave the chunk for the fiber.
   */
  runInline: ((chunk: Buffer) => boolean) | undefined = undefined
  /**
   * Writes pending output (pub/sub messages) right away while the fiber is parked waiting for
   * input, once per turn of the event loop (see `wakeForOutput`).
   */
  flushInline: (() => void) | undefined = undefined
  private flushScheduled = false
  private waiter: ((effect: Effect.Effect<void>) => void) | undefined = undefined
  /** The fiber is parked in `wait` (for input), not in `waitForNext` (for a drain or close). */
  private waitingForInput = false

  constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      if (this.waitingForInput && this.chunks.length === 0 && this.runInline !== undefined) {
        try {
          if (this.runInline(chunk)) return
        } catch (defect) {
          this.failure = defect
          this.wake()
          return
        }
      }
      this.chunks.push(chunk)
      this.chunkBytes += chunk.length
      this.wake()
    })
    socket.on("end", () => {
      this.ended = true
      this.wake()
    })
    socket.on("drain", () => this.wake())
    socket.on("finish", () => this.wake())
    // 'error' is always followed by 'close'; listening keeps Node from treating it as unhandled.
    socket.on("error", () => {})
    socket.on("close", () => {
      this.closed = true
      this.wake()
    })
  }

  /** Announces shutdown to the fiber (called from the shutdown hub's subscriber). */
  beginShutdown(): void {
    this.shuttingDown = true
    this.wake()
  }

  /**
   * Announces output to write (pub/sub messages). While the fiber is parked waiting for input
   * the messages are written from a microtask, after the publishing batch — so one batch of
   * PUBLISHes is still one write per subscriber — without resuming the fiber: for 50
   * subscribers that was 50 fiber wake-ups per published batch. Otherwise the fiber is woken
   * and writes them before its next replies.
   */
  wakeForOutput(): void {
    this.outputPending = true
    if (this.waitingForInput && this.flushInline !== undefined) {
      if (!this.flushScheduled) {
        this.flushScheduled = true
        queueMicrotask(this.flushPendingOutput)
      }
      return
    }
    this.wake()
  }

  private readonly flushPendingOutput = (): void => {
    this.flushScheduled = false
    if (!this.outputPending) return
    if (!this.waitingForInput || this.flushInline === undefined) return this.wake()
    try {
      this.flushInline()
    } catch (defect) {
      this.failure = defect
      this.wake()
    }
  }

  /** Takes every chunk received so far. */
  takeChunks(): Array<Buffer> {
    const chunks = this.chunks
    this.chunks = []
    this.chunkBytes = 0
    return chunks
  }

  /** Suspends the fiber until the next event (returns at once if one is pending). */
  readonly wait: Effect.Effect<void> = Effect.callback<void>((resume) => {
    if (
      this.chunks.length > 0 || this.outputPending || this.ended || this.closed || this.shuttingDown ||
      this.failure !== undefined
    ) {
      resume(Effect.void)
      return
    }
    this.waiter = resume
    this.waitingForInput = true
    return this.cancelWait
  })

  /** Suspends until something happens, whether or not an event is already pending. */
  readonly waitForNext: Effect.Effect<void> = Effect.callback<void>((resume) => {
    if (this.closed) {
      resume(Effect.void)
      return
    }
    this.waiter = resume
    return this.cancelWait
  })

  private readonly cancelWait = Effect.sync(() => {
    this.waiter = undefined
    this.waitingForInput = false
  })

  /** Resumes the fiber if it is waiting. */
  wake(): void {
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      this.waitingForInput = false
      // Later, in the scheduler: Effect 4 would run the waiter's fiber right here, inside the
      // caller (often another connection's batch).
      waiter(Effect.yieldNow)
    }
  }
}
