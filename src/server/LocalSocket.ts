/**
 * A connection inside one process: two ends of an in-memory duplex that look like `net.Socket`s
 * to the code on each side. The in-process client (InProcessClient.ts) talks RESP over it to the
 * server's ordinary connection handling, so its commands meet the same table, ACL, limits,
 * notifications and AOF as a TCP client's — without a port or a system call.
 *
 * Bytes arrive on a later turn of the event loop, and backpressure works as on a socket: a write
 * is acknowledged once the other end has read it into its buffer, and a paused end stops reading.
 */
import type * as net from "node:net"
import { Duplex } from "node:stream"

class LocalEnd extends Duplex {
  peer: LocalEnd | undefined = undefined
  /** A write waiting for the peer to read (backpressure). */
  private blockedWrite: (() => void) | undefined = undefined
  readonly remoteAddress = "127.0.0.1"
  readonly remoteFamily = "IPv4"
  readonly localAddress = "127.0.0.1"

  constructor(readonly remotePort: number, readonly localPort: number) {
    // As net.Socket: the writable side ends when the readable side does.
    super({ allowHalfOpen: false })
  }

  override _read(): void {
    const resume = this.peer?.blockedWrite
    if (resume !== undefined) {
      this.peer!.blockedWrite = undefined
      resume()
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    // Delivered on a later turn of the event loop, as a socket's bytes are: a fiber that polls the
    // server through a local connection must not starve timers and the fibers waiting to start.
    setImmediate(() => {
      const peer = this.peer
      if (peer === undefined || peer.destroyed) return done()
      if (peer.push(chunk)) done()
      else this.blockedWrite = () => done()
    })
  }

  override _final(done: (error?: Error | null) => void): void {
    if (this.peer !== undefined && !this.peer.destroyed) this.peer.push(null)
    done()
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    const peer = this.peer
    this.peer = undefined
    this.blockedWrite = undefined
    // As a TCP reset: the other side sees its connection close too.
    if (peer !== undefined && !peer.destroyed) peer.destroy()
    done(error)
  }

  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  setTimeout(): this {
    return this
  }
}

/** A connected pair: `client` for the caller, `server` for the server's accept queue. */
export const localSocketPair = (serverPort: number): { readonly client: net.Socket; readonly server: net.Socket } => {
  const client = new LocalEnd(serverPort, 0)
  const server = new LocalEnd(0, serverPort)
  client.peer = server
  server.peer = client
  // Each end stands in for a socket: the parts of net.Socket's interface the two sides use.
  return { client: client as unknown as net.Socket, server: server as unknown as net.Socket }
}
