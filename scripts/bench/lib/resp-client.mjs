/**
 * A minimal RESP client for the bench's own chores: waiting for a server's first PONG,
 * filling a keyspace with pipelined SETs, DBSIZE, and holding idle connections. Replies come
 * back in order; an error reply is returned as a `ReplyError` value, not thrown.
 */
import net from "node:net"
import { sleep } from "./processes.mjs"

export class ReplyError {
  constructor(message) {
    this.message = message
  }
}

const encodeCommand = (args) => {
  let text = `*${args.length}\r\n`
  for (const arg of args) {
    const value = String(arg)
    text += `$${Buffer.byteLength(value, "latin1")}\r\n${value}\r\n`
  }
  return text
}

/** One reply at `offset`: [value, nextOffset], or undefined when it is not complete yet. */
const parseReply = (buffer, offset) => {
  if (offset >= buffer.length) return undefined
  const lineEnd = buffer.indexOf("\r\n", offset)
  if (lineEnd < 0) return undefined
  const type = String.fromCharCode(buffer[offset])
  const line = buffer.toString("latin1", offset + 1, lineEnd)
  const next = lineEnd + 2
  switch (type) {
    case "+":
      return [line, next]
    case "-":
      return [new ReplyError(line), next]
    case ":":
      return [Number(line), next]
    case "$": {
      const length = Number(line)
      if (length < 0) return [null, next]
      if (buffer.length < next + length + 2) return undefined
      return [buffer.toString("latin1", next, next + length), next + length + 2]
    }
    case "*": {
      const items = []
      let at = next
      for (let i = 0; i < Number(line); i++) {
        const item = parseReply(buffer, at)
        if (item === undefined) return undefined
        items.push(item[0])
        at = item[1]
      }
      return [items, at]
    }
    default:
      throw new Error(`unexpected reply type byte ${JSON.stringify(type)}`)
  }
}

export class RespClient {
  /** Connects (rejects on refusal or after `timeoutMs`; no retry here). */
  static connect(port, host = "127.0.0.1", timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host })
      const fail = (error) => {
        clearTimeout(timer)
        socket.destroy()
        reject(error)
      }
      const timer = setTimeout(() => fail(new Error(`connect to ${host}:${port} timed out`)), timeoutMs)
      socket.once("error", fail)
      socket.once("connect", () => {
        clearTimeout(timer)
        socket.off("error", fail)
        resolve(new RespClient(socket))
      })
    })
  }

  constructor(socket) {
    this.socket = socket
    this.unread = Buffer.alloc(0)
    this.replies = []
    this.waiter = undefined
    this.closed = false
    socket.setNoDelay(true)
    socket.on("data", (chunk) => this.onData(chunk))
    socket.on("error", () => {})
    socket.on("close", () => {
      this.closed = true
      this.waiter?.reject(new Error("connection closed by the server"))
    })
  }

  onData(chunk) {
    const buffer = this.unread.length === 0 ? chunk : Buffer.concat([this.unread, chunk])
    let offset = 0
    for (let reply; (reply = parseReply(buffer, offset)) !== undefined; offset = reply[1]) this.replies.push(reply[0])
    this.unread = buffer.subarray(offset)
    if (this.waiter !== undefined && this.replies.length >= this.waiter.count) this.waiter.resolve()
  }

  /** Sends `commands` in one write and resolves with their replies (fails after `timeoutMs`). */
  pipeline(commands, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error("connection is closed"))
      const timer = setTimeout(() => finish(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs)
      const finish = (error) => {
        clearTimeout(timer)
        this.waiter = undefined
        if (error) reject(error)
        else resolve(this.replies.splice(0, commands.length))
      }
      this.waiter = { count: commands.length, resolve: () => finish(), reject: finish }
      this.socket.write(commands.map(encodeCommand).join(""), "latin1")
    })
  }

  async command(...args) {
    return (await this.pipeline([args]))[0]
  }

  close() {
    this.socket.destroy()
  }
}

/**
 * Polls `port` until the server answers PING with PONG; resolves with the time it took (ms).
 * Rejects after `timeoutMs`.
 */
export const waitForPong = async (port, { timeoutMs = 15_000, pollMs = 2 } = {}) => {
  const started = performance.now()
  let lastProblem = "no answer"
  while (performance.now() - started < timeoutMs) {
    try {
      const client = await RespClient.connect(port)
      try {
        const reply = await client.command("PING")
        if (reply === "PONG") return performance.now() - started
        lastProblem = `PING answered ${JSON.stringify(reply)}`
      } finally {
        client.close()
      }
    } catch (error) {
      lastProblem = error.message
    }
    await sleep(pollMs)
  }
  throw new Error(`port ${port}: no PONG within ${timeoutMs} ms (${lastProblem})`)
}

/** The key redis-benchmark's `-r` uses for random number `n`: `key:` and 12 digits. */
export const benchmarkKey = (n) => `key:${String(n).padStart(12, "0")}`

/**
 * SETs `count` distinct keys (`benchmarkKey(0 .. count-1)`) to `value`, pipelined in batches.
 * Resolves with undefined, or the first error reply's text (the fill stops there).
 */
export const fillKeys = async (port, count, value, batchSize = 5000) => {
  const client = await RespClient.connect(port)
  try {
    for (let first = 0; first < count; first += batchSize) {
      const commands = []
      for (let n = first; n < Math.min(first + batchSize, count); n++) commands.push(["SET", benchmarkKey(n), value])
      const failed = (await client.pipeline(commands)).find((reply) => reply instanceof ReplyError)
      if (failed !== undefined) return failed.message
    }
    return undefined
  } finally {
    client.close()
  }
}
