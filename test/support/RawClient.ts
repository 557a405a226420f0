/**
 * A minimal RESP client for tests: sends commands (or raw bytes) and reads exact replies.
 * Arguments are strings taken as latin1 bytes, so any byte 0x00–0xFF can be sent.
 */
import * as net from "node:net"
import { type Reply, readReply } from "./RespReader.js"

export const encodeCommand = (args: ReadonlyArray<string>): Buffer => {
  let text = `*${args.length}\r\n`
  for (const arg of args) text += `$${arg.length}\r\n${arg}\r\n`
  return Buffer.from(text, "latin1")
}

export class RawClient {
  /** Received bytes not yet read as replies: joined lazily, so big replies are not copied per chunk. */
  private chunks: Array<Buffer> = []
  private received = 0
  private waiting: Array<() => void> = []
  closed = false

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk)
      this.received += chunk.length
      this.notify()
    })
    socket.on("close", () => {
      this.closed = true
      this.notify()
    })
    socket.on("error", () => {})
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host)
      socket.once("connect", () => resolve(new RawClient(socket)))
      socket.once("error", reject)
    })
  }

  /** Sends bytes as they are (latin1 when a string). */
  write(data: string | Buffer): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data)
  }

  send(...args: ReadonlyArray<string>): void {
    this.socket.write(encodeCommand(args))
  }

  /** The next reply; rejects if the connection closes first or nothing arrives in time. */
  async read(timeoutMs = 5000): Promise<Reply> {
    let reply: Reply | undefined
    await this.waitUntil(() => {
      const buffer = this.pending
      const parsed = readReply(buffer, 0)
      if (parsed === undefined) return false
      const rest = buffer.subarray(parsed[1])
      this.chunks = rest.length > 0 ? [rest] : []
      this.received = rest.length
      reply = parsed[0]
      return true
    }, timeoutMs, "a whole reply")
    return reply!
  }

  /** Sends one command and reads its reply. */
  async call(...args: ReadonlyArray<string>): Promise<Reply> {
    this.send(...args)
    return this.read()
  }

  /** Waits until at least `count` unread bytes have arrived (before reading a very large reply). */
  waitForBytes(count: number, timeoutMs = 20000): Promise<void> {
    return this.waitUntil(() => this.received >= count, timeoutMs, `${count} bytes (${this.received} so far)`)
  }

  /** Resolves once the server has closed the connection (rejects after the timeout). */
  waitClosed(timeoutMs = 5000): Promise<void> {
    return this.waitUntil(() => this.closed, timeoutMs, "the server to close the connection", true)
  }

  /**
   * Re-checks `done` whenever bytes arrive or the connection closes, until it holds; rejects when
   * the connection closes first (unless closing is what is awaited) or the time runs out.
   */
  private async waitUntil(done: () => boolean, timeoutMs: number, what: string, closingIsOk = false): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      if (this.closed && !closingIsOk) throw new Error(`connection closed while waiting for ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiting.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Bytes received and not yet read as replies. */
  get pending(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.received)]
    return this.chunks[0] ?? Buffer.alloc(0)
  }

  close(): void {
    this.socket.destroy()
  }

  private notify(): void {
    const waiting = this.waiting
    this.waiting = []
    for (const wake of waiting) wake()
  }
}
