/**
 * One TCP connection to the server and the replies it owes.
 *
 * Redis answers in order, so the commands written on a connection wait in a FIFO and each reply
 * completes the oldest one. Replies are matched synchronously in the socket's 'data' callback
 * (the parser is plain code); when the socket closes, every command still owed a reply fails with
 * the same `RedisConnectionError`: it was sent, so it may or may not have run.
 */
import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import type * as net from "node:net"
import { RedisConnectionError, type RedisError, RedisReplyError } from "./errors.js"
import type { EncodedCommand } from "./encodeCommand.js"
import { describeSocketError, type SocketAddress } from "./NetSocket.js"
import { ReplyParser, RespProtocolError } from "./ReplyParser.js"
import type { RespValue } from "./RespValue.js"

/** A command waiting for its reply. */
export interface Pending {
  readonly deferred: Deferred.Deferred<RespValue, RedisError>
  readonly payload: EncodedCommand
  /** Its fiber was interrupted before it was written: it is dropped instead of sent. */
  cancelled: boolean
  /** Sees the reply first, synchronously (the client follows SELECT and AUTH this way). */
  readonly onReply: ((reply: RespValue) => void) | undefined
}

export const makePending = (payload: EncodedCommand, onReply?: (reply: RespValue) => void): Pending => ({
  deferred: Deferred.makeUnsafe<RespValue, RedisError>(),
  payload,
  cancelled: false,
  onReply
})

export class Link {
  private readonly parser: ReplyParser
  /** Commands written and owed a reply, oldest at `head`. */
  private owed: Array<Pending> = []
  private head = 0
  /** Set when we close the link on purpose: what the commands still owed fail with. */
  private closeReason: RedisConnectionError | undefined = undefined
  private lastError: Error | undefined = undefined
  /** Completes once the socket is closed and every owed command has failed. */
  readonly closed = Deferred.makeUnsafe<void>()
  isClosed = false
  /**
   * Set on a subscriber's connection: from then on every reply is a push (confirmations,
   * messages) and goes here instead of completing a command.
   */
  onPush: ((reply: RespValue) => void) | undefined = undefined

  constructor(readonly socket: net.Socket, readonly address: SocketAddress, textEncoding: BufferEncoding) {
    this.parser = new ReplyParser(textEncoding)
    socket.on("data", (chunk: Buffer) => this.receive(chunk))
    socket.on("error", (error) => {
      this.lastError = error
    })
    socket.on("close", () => this.onClose())
  }

  /** Writes a batch of commands in one socket write; their replies are owed in this order. */
  write(batch: ReadonlyArray<Pending>, payload: EncodedCommand): void {
    if (this.isClosed) {
      for (const pending of batch) Deferred.doneUnsafe(pending.deferred, Exit.fail(this.lostError()))
      return
    }
    for (const pending of batch) this.owed.push(pending)
    this.socket.write(payload)
  }

  /** Writes bytes no reply is owed for in the FIFO (a subscriber's commands: their replies are pushes). */
  writeUnowed(payload: EncodedCommand): void {
    if (!this.isClosed) this.socket.write(payload)
  }

  /** Closes the connection; commands still owed a reply fail with `reason`. */
  close(reason: RedisConnectionError): void {
    if (this.isClosed) return
    this.closeReason ??= reason
    this.socket.destroy()
  }

  private receive(chunk: Buffer): void {
    this.parser.feed(chunk)
    for (;;) {
      let reply: RespValue | undefined
      try {
        reply = this.parser.next()
      } catch (error) {
        if (!(error instanceof RespProtocolError)) throw error
        return this.close(new RedisConnectionError({
          reason: "ProtocolError",
          message: `${error.message} (from ${this.address.host}:${this.address.port}); connection closed`,
          cause: error
        }))
      }
      if (reply === undefined) return
      if (this.onPush !== undefined) {
        this.onPush(reply)
        continue
      }
      const pending = this.owed[this.head]
      if (pending === undefined) {
        return this.close(new RedisConnectionError({
          reason: "ProtocolError",
          message: `Protocol error: a reply no command asked for (from ${this.address.host}:${this.address.port}); connection closed`
        }))
      }
      this.owed[this.head++] = undefined as unknown as Pending
      if (this.head === this.owed.length) {
        this.owed = []
        this.head = 0
      } else if (this.head >= 4096 && this.head * 2 >= this.owed.length) {
        // Under steady load the FIFO may never drain: drop the answered half now and then.
        this.owed = this.owed.slice(this.head)
        this.head = 0
      }
      pending.onReply?.(reply)
      Deferred.doneUnsafe(pending.deferred, reply instanceof RedisReplyError ? Exit.fail(reply) : Exit.succeed(reply))
    }
  }

  /** What commands still owed fail with once the link is closed. */
  lostError(): RedisConnectionError {
    if (this.closeReason !== undefined) return this.closeReason
    const why = this.lastError !== undefined ? describeSocketError(this.lastError) : "closed by the server"
    return new RedisConnectionError({
      reason: "ConnectionLost",
      message: `Connection to ${this.address.host}:${this.address.port} lost (${why}) with the command sent: ` +
        `it may or may not have run`,
      cause: this.lastError
    })
  }

  private onClose(): void {
    this.isClosed = true
    const owed = this.owed.slice(this.head)
    this.owed = []
    this.head = 0
    if (owed.length > 0) {
      const error = this.lostError()
      for (const pending of owed) Deferred.doneUnsafe(pending.deferred, Exit.fail(error))
    }
    Deferred.doneUnsafe(this.closed, Exit.void)
  }
}
