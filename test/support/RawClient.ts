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
  private buffer = Buffer.alloc(0)
  private waiting: Array<() => void> = []
  closed = false

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
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
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const parsed = readReply(this.buffer, 0)
      if (parsed !== undefined) {
        this.buffer = this.buffer.subarray(parsed[1])
        return parsed[0]
      }
      if (this.closed) throw new Error("connection closed before a whole reply arrived")
      const left = deadline - Date.now()
      if (left <= 0) throw new Error("timed out waiting for a reply")
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiting.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Sends one command and reads its reply. */
  async call(...args: ReadonlyArray<string>): Promise<Reply> {
    this.send(...args)
    return this.read()
  }

  /** Resolves once the server has closed the connection (rejects after the timeout). */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error("connection still open")
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
    return this.buffer
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
