/**
 * One client connection: a fiber that reads, runs, and answers, until the client leaves, is
 * killed, or the server shuts down.
 *
 * Every wake-up takes all the bytes that arrived, feeds them to the pure parser, and runs every
 * whole command in one `Ref.modify` on the keyspace (time read once from Effect's `Clock`), then
 * hands all the replies to its SocketOutput, which writes them in one write at the end of the
 * event-loop turn, with every other connection's (SocketOutput.ts). Replies leave in command order
 * because there is exactly one fiber per connection and no fiber per command. (While the fiber is
 * parked waiting for input, the same batch runs straight from the socket's callback: see "the
 * fast path" below.)
 *
 * Pub/sub messages published to the client by other connections wait in its outbox
 * (src/pubsub/Hub.ts), which wakes the fiber; the fiber writes all of them in one write, before
 * the replies to any commands that are waiting.
 *
 * A blocking command with nothing to pop (BLPOP k 0) leaves the client blocked: the batch stops
 * there, and the fiber waits — running nothing more, whatever arrives — until the wait ends. The
 * one who ends it (a push served it, the timeout fiber, CLIENT UNBLOCK) leaves the reply in
 * `client.unblockedReply` and wakes the fiber, which sends it and goes on with what came after.
 * A disconnect (the client closing its side is one: Redis frees a client at EOF), a kill or
 * shutdown ends the wait with no reply and nothing popped.
 *
 * On shutdown the fiber finishes the commands that have already arrived, flushes its replies and
 * pending messages, and closes; an idle connection closes at once. A client that stops reading is
 * not allowed to grow the server's memory: past `OUTPUT_HIGH_WATER` unsent bytes the fiber stops
 * reading from it until the socket drains (a subscriber's messages are bounded by the hub).
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type * as net from "node:net"
import type { CommandContext } from "../commands/Command.js"
import { executeCommand, waitsForPause } from "../commands/dispatch.js"
import { applyReplyMode } from "../observability/ReplyMode.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import { ProtocolError, RequestParser } from "../protocol/Parser.js"
import { ReplyWriter } from "../protocol/ReplyWriter.js"
import { resetAuthentication } from "../session/Authentication.js"
import { outputBatchLimit, outputBufferOverflow, parserLimits, queryBufferOverflow } from "./ClientLimits.js"
import { ClientState } from "../session/ClientState.js"
import type { ServerState } from "../commands/Command.js"
import type { ShutdownHub } from "./ShutdownHub.js"
import { SocketEvents } from "./SocketEvents.js"
import { SocketOutput } from "./SocketOutput.js"

/**
 * One scratch buffer for the replies of every connection: batches run one at a time, each inside
 * one synchronous step, and each batch's bytes are copied out before its step ends. (A buffer per
 * connection would cost 16 KB for every idle client.)
 */
const sharedReplyWriter = new ReplyWriter()

/**
 * Bytes a blocked (or CLIENT PAUSE-held) client may send before it is closed (Redis's
 * client-query-buffer-limit default): nothing it sends runs while it waits, and it keeps being
 * read so that its leaving is noticed.
 */
export const BLOCKED_INPUT_LIMIT = 1024 * 1024 * 1024

/** Unsent reply bytes above which we stop reading from the client, and the level to resume at. */
export const OUTPUT_HIGH_WATER = 4 * 1024 * 1024
const OUTPUT_LOW_WATER = 1024 * 1024

export interface ConnectionDeps {
  readonly keyspace: Ref.Ref<Keyspace>
  readonly server: ServerState
  readonly shutdownHub: ShutdownHub
}

export const formatAddress = (host: string | undefined, port: number | undefined): string =>
  `${host?.startsWith("::ffff:") ? host.slice(7) : host ?? "?"}:${port ?? 0}`

/**
 * Serves one accepted socket until it closes. Registers the client for CLIENT LIST and removes it
 * on exit; the socket is destroyed if the fiber is interrupted (a shutdown straggler).
 */
export const serveConnection = (
  socket: net.Socket,
  id: number,
  deps: ConnectionDeps
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Clock.Clock
    const { server } = deps
    const events = new SocketEvents(socket)
    const client = new ClientState(
      id,
      formatAddress(socket.remoteAddress, socket.remotePort),
      formatAddress(socket.localAddress, socket.localPort),
      // The batches' clock (Observability.micros), so that CLIENT LIST's age never reads -1.
      Math.floor(server.observability.micros() / 1000),
      () => {
        events.closed = true
        server.blocked.release(client)
        socket.destroy()
      }
    )
    // (Declared below; only called once the client has subscribed, after a batch ran.)
    client.unsentBytes = () => bufferedBytes()
    client.wakeWriter = () => events.wakeForOutput()
    // A blocked client that stopped sending is gone too, as for Redis (it frees a client at EOF).
    client.isClosed = () => events.closed || events.ended
    client.wakeBlocked = () => events.wake()
    const output = new SocketOutput(socket)
    output.onFlushed = () => {
      client.outputBufferBytes = bufferedBytes()
    }
    client.writeDirect = (bytes) => output.write(bytes)
    client.remote = true
    resetAuthentication(server.acl, client)
    server.clients.set(id, client)
    if (server.config.timeout > 0) server.clientsAlarm.request(0)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        server.clients.delete(id)
        server.blocked.release(client)
        server.watches.unwatchAll(client)
        server.pubsub.removeClient(client)
        server.tracking.disable(client)
        server.observability.monitors.delete(client)
        server.observability.pause.waiting.delete(client)
        if (client.pubsub !== undefined) client.pubsub.closed = true
        if (!socket.destroyed) socket.destroy()
      })
    )
    yield* deps.shutdownHub.subscribe(() => events.beginShutdown())

    const parser = new RequestParser(parserLimits(server.config, client))
    const pause = server.observability.pause
    const out = sharedReplyWriter
    const initial = yield* Ref.get(deps.keyspace)
    const ctx: CommandContext = {
      keyspace: initial,
      db: initial.databases[0],
      now: client.createdAt,
      out,
      client,
      server
    }

    // The batch: every whole command received so far, against the keyspace, in one step. It stops
    // early once the replies (with those still unsent) pass OUTPUT_HIGH_WATER (a few bytes of GETs
    // can ask for gigabytes);
    // the rest stays parsed-but-unrun until the client has read what it was sent.
    let outputFull = false
    /** The batch's writes handed to the AOF: the token its replies wait on (-1: none). */
    let durableToken = -1
    const runBatch = (keyspace: Keyspace): readonly [Buffer | undefined, Keyspace] => {
      ctx.keyspace = keyspace
      ctx.db = keyspace.databases[client.db]
      // One clock read for the batch: its `now`, and when its first command starts.
      ctx.now = server.observability.beginBatch(ctx)
      keyspace.access.setTime(ctx.now)
      client.lastInteractionAt = ctx.now
      out.protocol = client.protocol
      outputFull = false
      // Replies still unsent (as the output limits count them) count against the high water (or a
      // lower normal hard output limit) too, so what a client that does not read holds stays near
      // it (plus one command's reply).
      const budget = outputBatchLimit(server.config, client, OUTPUT_HIGH_WATER) - bufferedBytes()
      for (;;) {
        // Blocked by the last command: the rest waits in the parser until the wait ends.
        if (client.blocked !== undefined) break
        if (out.size > budget) {
          outputFull = true
          break
        }
        // A command CLIENT PAUSE held back runs first, once the pause is over.
        const argv = client.postponed ?? parser.next()
        if (argv === undefined) break
        client.postponed = undefined
        if (argv instanceof ProtocolError) {
          out.error(`ERR ${argv.message}`)
          server.observability.countError("ERR")
          client.closeAfterReply = true
          break
        }
        if (pause.until !== 0 && waitsForPause(ctx, argv)) {
          client.postponed = argv
          pause.waiting.add(client)
          break
        }
        const mark = out.size
        executeCommand(ctx, argv)
        if (client.replyMode !== "on") applyReplyMode(client, out, mark)
        if (client.closeAfterReply) break
      }
      server.observability.endBatch()
      client.queryBufferBytes = parser.pendingBytes
      durableToken = keyspace.commandLog.flush()
      server.stats.errorReplies += out.errorCount
      out.errorCount = 0
      if (out.size === 0) return [undefined, keyspace]
      server.stats.netOutputBytes += out.size
      return [out.take(), keyspace]
    }

    // With appendfsync always, a batch's replies wait until its writes are on disk; later
    // replies queue behind them, so the client still reads them in order.
    const held: Array<Buffer> = []
    let heldBytes = 0
    let syncsAwaited = 0
    const releaseHeld = () => {
      if (--syncsAwaited > 0) return
      for (const replies of held) output.write(replies)
      held.length = 0
      heldBytes = 0
      client.outputBufferBytes = bufferedBytes()
      events.wake()
    }
    const send = (replies: Buffer | undefined, token: number) => {
      if (token < 0 && syncsAwaited === 0) {
        if (replies !== undefined) output.write(replies)
        return
      }
      if (replies !== undefined) {
        held.push(replies)
        heldBytes += replies.length
      }
      if (token >= 0) {
        syncsAwaited++
        initial.commandLog.whenDurable(token, releaseHeld)
      }
    }
    /** Reply bytes the client has not been sent: what backpressure bounds. */
    const unsentBytes = () => output.unsent + heldBytes
    /** The same as Redis's output buffer limits count them (see SocketOutput.buffered). */
    const bufferedBytes = () => output.buffered + heldBytes
    // The reply that ended a wait: once the pop it reports is as durable as its batch's writes.
    const sendUnblockedReply = () => {
      const reply = client.unblockedReply
      if (reply === undefined) return
      client.unblockedReply = undefined
      server.stats.netOutputBytes += reply.length
      send(reply, initial.commandLog.lastToken)
      client.outputBufferBytes = bufferedBytes()
    }
    // Per-client memory bounds (src/server/ClientLimits.ts): past one, the client is closed and
    // a warning says why. Not while a protocol error's reply is on its way (that closes anyway).
    let overLimit: string | undefined = undefined
    const checkLimits = () => {
      if (client.closeAfterReply) return
      overLimit = (outputFull ? undefined : queryBufferOverflow(server.config, client, parser, ctx.now)) ??
        outputBufferOverflow(server.config, client, bufferedBytes(), ctx.now)
    }
    const closeOverLimit = Effect.suspend(() => {
      socket.destroy()
      return Effect.logWarning(overLimit)
    })
    // Pub/sub messages published to this client since it last wrote: all of them in one write.
    const flushMessages = () => {
      events.outputPending = false
      const messages = client.pubsub?.takeOutbox()
      if (messages === undefined) return
      server.stats.netOutputBytes += messages.length
      output.write(messages)
      client.outputBufferBytes = bufferedBytes()
    }

    /**
     * The one batch routine, run by the fiber (in `Ref.modify`) and by the socket's callback (the
     * fast path below): runs what is parsed, sends or holds the replies, checks the client's limits.
     */
    const runAndSend = (keyspace: Keyspace): readonly [void, Keyspace] => {
      send(runBatch(keyspace)[0], durableToken)
      client.outputBufferBytes = bufferedBytes()
      checkLimits()
      return [undefined, keyspace]
    }
    /** Something only the fiber handles: waiting, closing, shutdown, a pause, a limit passed. */
    const fiberNeeded = () =>
      client.closeAfterReply || events.shuttingDown || overLimit !== undefined || client.blocked !== undefined ||
      client.postponed !== undefined

    // The fast path. While this fiber is parked waiting for input, a chunk that arrives is run
    // right in the socket's callback: the same batch and the same single synchronous step on the
    // keyspace that `Ref.modify` performs (`Ref.modify` is `sync(() => f(current))`, and the
    // Keyspace the Ref holds never changes identity). Waking the fiber only to run that same
    // synchronous code costs ~7 µs per chunk, measured: without pipelining it took us from 0.75×
    // to 0.95× of a bare `node:net` server. Whatever has to wait — backpressure, closing,
    // shutdown, a failure — wakes the fiber, which owns the connection throughout.
    const keyspace = yield* Ref.get(deps.keyspace)
    events.flushInline = () => {
      flushMessages()
      // Past the high-water mark the fiber takes over (it pauses reading until the socket drains).
      if (unsentBytes() > OUTPUT_HIGH_WATER) events.wake()
    }
    events.runInline = (chunk) => {
      if (fiberNeeded()) return false
      // Messages published before this chunk's commands go out before their replies.
      if (events.outputPending) flushMessages()
      server.stats.netInputBytes += chunk.length
      parser.feed(chunk)
      runAndSend(keyspace)
      if (outputFull || fiberNeeded() || unsentBytes() > OUTPUT_HIGH_WATER) events.wake()
      return true
    }

    /** Parsed commands wait to run without new input (a wait just ended). */
    let resumeParsed = false
    for (;;) {
      if (client.blocked !== undefined) {
        // Only the end of the wait, or of the connection, gets us out (see the module comment).
        while (
          client.blocked !== undefined && !client.isClosed() && !events.shuttingDown && events.failure === undefined &&
          events.chunkBytes <= BLOCKED_INPUT_LIMIT
        ) {
          yield* events.waitForNext
          // A RESP3 client may be subscribed: its messages are not held up by the wait.
          if (events.outputPending) flushMessages()
        }
        if (client.blocked !== undefined) {
          server.blocked.release(client)
          if (events.closed || events.failure !== undefined || events.chunkBytes > BLOCKED_INPUT_LIMIT) return
          break
        }
        resumeParsed = true
      }
      if (client.postponed !== undefined) {
        // CLIENT PAUSE: sleep (on Effect's Clock) until it ends or is lifted, or the client leaves.
        // As a blocked client, it is read meanwhile: its EOF frees it (with the held command
        // unrun, as Redis frees a paused client at EOF), and so does sending past the input limit.
        while (
          client.postponed !== undefined && pause.isPaused(clock.currentTimeMillisUnsafe()) && !client.isClosed() &&
          !events.shuttingDown && events.failure === undefined && events.chunkBytes <= BLOCKED_INPUT_LIMIT
        ) {
          const left = pause.until - clock.currentTimeMillisUnsafe()
          yield* Effect.raceFirst(events.waitForNext, Effect.sleep(Duration.millis(Math.max(1, left))))
        }
        pause.waiting.delete(client)
        if (client.isClosed() || events.chunkBytes > BLOCKED_INPUT_LIMIT) return
        resumeParsed = true
      }
      sendUnblockedReply()
      if (!outputFull && !resumeParsed) yield* events.wait
      resumeParsed = false
      if (events.failure !== undefined) return yield* Effect.die(events.failure)
      if (events.closed) return
      if (overLimit !== undefined) return yield* closeOverLimit
      // Messages published before the commands that are waiting go out before their replies.
      if (events.outputPending) flushMessages()
      if (client.closeAfterReply) break
      if (events.chunks.length > 0) {
        server.stats.netInputBytes += events.chunkBytes
        for (const chunk of events.takeChunks()) parser.feed(chunk)
      }
      // A wait ended since the fiber last looked: its reply goes before anything that came after it.
      sendUnblockedReply()
      yield* Ref.modify(deps.keyspace, runAndSend)
      if (overLimit !== undefined) return yield* closeOverLimit
      // Backpressure: a client that does not read its replies is not read from either.
      if (unsentBytes() > OUTPUT_HIGH_WATER) {
        // In the socket, not waiting for the turn's end: its drain is what ends this wait.
        output.flush()
        socket.pause()
        while (!events.closed && unsentBytes() > OUTPUT_LOW_WATER) yield* events.waitForNext
        socket.resume()
        if (events.closed) return
        client.outputBufferBytes = bufferedBytes()
      }
      // Whatever arrived or is still parsed-but-unrun is handled before deciding to close.
      if (client.closeAfterReply) break
      if (outputFull || events.chunks.length > 0 || client.blocked !== undefined) continue
      if (events.ended || events.shuttingDown) break
    }
    // Graceful close: no more messages; replies waiting for the disk go out first, then what is
    // queued is flushed and both directions close.
    server.pubsub.removeClient(client)
    flushMessages()
    while (!events.closed && syncsAwaited > 0) yield* events.waitForNext
    output.flush()
    socket.end()
    while (!events.closed && !socket.writableFinished) yield* events.waitForNext
    socket.destroy()
  }).pipe(
    // A defect here is a bug: logged as an error (the fuzzer looks for it); an interruption is a
    // shutdown straggler being cut off.
    Effect.catchCause((cause) =>
      Cause.hasInterruptsOnly(cause) ? Effect.logDebug("connection interrupted") : Effect.logError("connection failed", cause)
    )
  )
