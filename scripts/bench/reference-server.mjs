/**
 * The runtime's own ceiling: a tiny dependency-free `node:net` RESP server that knows just
 * GET, SET, INCR, MSET, PING and CONFIG GET, keeps its data in a plain `Map`, and answers each
 * chunk of (possibly pipelined) commands with one socket write. The bench runs it beside
 * redfiber (column "node-ref") to show what Node itself can do on this machine.
 *
 * Usage: node scripts/bench/reference-server.mjs --port 6380
 */
import net from "node:net"

const CRLF = "\r\n"
const store = new Map()
/** What redis-benchmark asks for before it starts (`CONFIG GET save`, `CONFIG GET appendonly`). */
const configValues = new Map([["save", ""], ["appendonly", "no"]])

const bulk = (text) => (text === undefined ? "$-1\r\n" : `$${text.length}\r\n${text}\r\n`)
const error = (message) => `-${message}\r\n`
const wrongArity = (name) => error(`ERR wrong number of arguments for '${name}' command`)

const notAnInteger = error("ERR value is not an integer or out of range")

const incr = (key) => {
  const current = store.get(key) ?? "0"
  const value = Number(current)
  // Fast path: a safe integer written canonically; anything else goes through BigInt.
  if (Number.isSafeInteger(value + 1) && String(value) === current) {
    store.set(key, String(value + 1))
    return `:${value + 1}\r\n`
  }
  if (!/^-?[1-9]\d{0,18}$/.test(current)) return notAnInteger
  const integer = BigInt(current)
  if (integer < -(2n ** 63n) || integer >= 2n ** 63n) return notAnInteger
  if (integer === 2n ** 63n - 1n) return error("ERR increment or decrement would overflow")
  const next = integer + 1n
  store.set(key, next.toString())
  return `:${next}\r\n`
}

/** One command's reply. `argv` holds byte strings (latin1). */
const execute = (argv) => {
  const name = argv[0].toLowerCase()
  switch (name) {
    case "get":
      return argv.length === 2 ? bulk(store.get(argv[1])) : wrongArity(name)
    case "set":
      if (argv.length !== 3) return wrongArity(name)
      store.set(argv[1], argv[2])
      return "+OK\r\n"
    case "incr":
      return argv.length === 2 ? incr(argv[1]) : wrongArity(name)
    case "mset":
      if (argv.length < 3 || argv.length % 2 === 0) return wrongArity(name)
      for (let i = 1; i < argv.length; i += 2) store.set(argv[i], argv[i + 1])
      return "+OK\r\n"
    case "ping":
      return argv.length === 1 ? "+PONG\r\n" : bulk(argv[1])
    case "config": {
      if (argv.length !== 3 || argv[1].toLowerCase() !== "get") return error("ERR only CONFIG GET is supported")
      const value = configValues.get(argv[2].toLowerCase())
      return value === undefined ? "*0\r\n" : `*2\r\n${bulk(argv[2])}${bulk(value)}`
    }
    default:
      return error(`ERR unknown command '${argv[0]}'`)
  }
}

/** The decimal number from `start` up to the next CR, as [value, offset after the CRLF]; undefined if incomplete. */
const readLineNumber = (buffer, start) => {
  let value = 0
  for (let at = start; at < buffer.length; at++) {
    const byte = buffer[at]
    if (byte === 13 /* CR */) return at + 1 < buffer.length ? [value, at + 2] : undefined
    value = value * 10 + byte - 48
  }
  return undefined
}

/**
 * Parses one command at `offset`: a RESP array of bulk strings, or an inline line.
 * Returns [argv, nextOffset], or undefined when the command is not complete yet.
 */
const parseCommand = (buffer, offset) => {
  if (buffer[offset] !== 0x2a /* '*' */) {
    const lineEnd = buffer.indexOf(CRLF, offset)
    if (lineEnd < 0) return undefined
    const words = buffer.toString("latin1", offset, lineEnd).trim().split(/ +/)
    return [words[0] === "" ? [] : words, lineEnd + 2]
  }
  const header = readLineNumber(buffer, offset + 1)
  if (header === undefined) return undefined
  const argv = new Array(header[0])
  let at = header[1]
  for (let i = 0; i < argv.length; i++) {
    const length = readLineNumber(buffer, at + 1) // skips the '$'
    if (length === undefined || buffer.length < length[1] + length[0] + 2) return undefined
    argv[i] = buffer.latin1Slice(length[1], length[1] + length[0])
    at = length[1] + length[0] + 2
  }
  return [argv, at]
}

const serve = (socket) => {
  socket.setNoDelay(true) // as Redis does: a reply must not wait for the client's delayed ACK
  let pending = Buffer.alloc(0)
  socket.on("data", (chunk) => {
    const buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let replies = ""
    let offset = 0
    for (let parsed; (parsed = parseCommand(buffer, offset)) !== undefined; offset = parsed[1]) {
      if (parsed[0].length > 0) replies += execute(parsed[0])
    }
    pending = buffer.subarray(offset)
    if (replies !== "") socket.write(Buffer.from(replies, "latin1"))
  })
  socket.on("error", () => socket.destroy())
}

const portFlag = process.argv.indexOf("--port")
const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : 6380
const server = net.createServer(serve).listen(port, "127.0.0.1", () => {
  process.stdout.write(`node-ref ready on 127.0.0.1:${server.address().port}\n`)
})
// No drain: this server only exists to be measured, and its data is throwaway.
const stop = () => process.exit(0)
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
