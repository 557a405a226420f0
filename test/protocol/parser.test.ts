/**
 * The request parser, case by case: both request forms, Redis's inline quoting, binary safety,
 * the exact protocol errors and limits, memory that follows the bytes received, bounded copying,
 * and (when redis-server is installed) the same bytes answered identically by us and by Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as net from "node:net"
import { splitInlineArgs } from "../../src/protocol/InlineArgs.js"
import { INLINE_MAX_SIZE, ProtocolError, RequestParser } from "../../src/protocol/Parser.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const bytes = (text: string) => Buffer.from(text, "latin1")

/** Feeds each chunk and drains whole commands after it; a protocol error is shown as its message. */
const parseChunks = (chunks: ReadonlyArray<string | Buffer>, parser = new RequestParser()) => {
  const out: Array<ReadonlyArray<string> | string> = []
  for (const chunk of chunks) {
    parser.feed(typeof chunk === "string" ? bytes(chunk) : chunk)
    for (;;) {
      const result = parser.next()
      if (result === undefined) break
      if (result instanceof ProtocolError) return [...out, result.message]
      out.push(result)
    }
  }
  return out
}
const parse = (text: string) => parseChunks([text])
const byteByByte = (text: string) => parseChunks([...text])

describe("multibulk requests", () => {
  it("parses commands and pipelines", () => {
    expect(parse("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")).toEqual([["PING"], ["SET", "k", ""]])
  })

  it("skips *0 and negative counts (any within 64 bits), as Redis does", () => {
    expect(parse("*0\r\n*-1\r\n*-9007199254740993\r\n*-9223372036854775808\r\n*1\r\n$1\r\nx\r\n")).toEqual([["x"]])
  })

  it("skips the two bytes after a bulk without checking them", () => {
    expect(parse("*1\r\n$4\r\nPINGxx*1\r\n$1\r\nA\r\n")).toEqual([["PING"], ["A"]])
  })

  it("waits for a whole header line before judging it", () => {
    const parser = new RequestParser()
    expect(parseChunks(["*1\r\nx"], parser)).toEqual([])
    expect(parseChunks(["\r"], parser)).toEqual([])
    expect(parseChunks(["\n"], parser)).toEqual(["Protocol error: expected '$', got 'x'"])
  })

  it("every byte 0x00-0xFF survives in arguments, split anywhere", () => {
    let all = ""
    for (let b = 0; b < 256; b++) all += String.fromCharCode(b)
    const request = `*3\r\n$${all.length}\r\n${all}\r\n$2\r\n\r\n\r\n$1\r\n\0\r\n`
    expect(parse(request)).toEqual([[all, "\r\n", "\0"]])
    expect(byteByByte(request)).toEqual([[all, "\r\n", "\0"]])
  })

  it("does not write into the chunks it is fed", () => {
    const whole = bytes("*2\r\n$3\r\nGET\r\n$5\r\nhello\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n")
    const copy = Buffer.from(whole)
    const chunks = [1, 3, 7, 8, 20, 21, 30, 35, whole.length].map((end, i, ends) => whole.subarray(i === 0 ? 0 : ends[i - 1], end))
    expect(parseChunks(chunks)).toEqual([["GET", "hello"], ["PING"], ["QUIT"]])
    expect(whole.equals(copy)).toBe(true)
  })
})

describe("inline requests", () => {
  it("parses lines ended by CRLF or LF, and skips empty lines", () => {
    expect(parse("PING\r\nPING\n\r\n\n  \r\nECHO  hi   there \r\n")).toEqual([["PING"], ["PING"], ["ECHO", "hi", "there"]])
  })

  it("a CR not right before the LF separates arguments", () => {
    expect(parse("PING\rx\n")).toEqual([["PING", "x"]])
  })

  it("follows sdssplitargs quoting", () => {
    expect(parse('SET a "b c"\r\n')).toEqual([["SET", "a", "b c"]])
    expect(parse('ECHO "\\x41\\x4a\\x4" "\\n\\r\\t\\b\\a\\q\\\\\\""\r\n')).toEqual([["ECHO", "AJx4", "\n\r\t\b\x07q\\\""]])
    expect(parse("ECHO 'it\\'s' 'a\\b' ''\r\n")).toEqual([["ECHO", "it's", "a\\b", ""]])
    expect(parse('ECHO a"b c" x\'y z\'\r\n')).toEqual([["ECHO", "ab c", "xy z"]])
    expect(parse('ECHO "\\xff\\x00"\r\n')).toEqual([["ECHO", "\xff\0"]])
  })

  it("a \\v or \\f separates only between arguments", () => {
    expect(parse("\x0bPING \x0c\r\nPI\x0bNG\x0c\r\n")).toEqual([["PING"], ["PI\x0bNG\x0c"]])
  })

  it("rejects unbalanced quotes, including a closing quote glued to more text", () => {
    for (const line of ['ECHO "abc', "ECHO 'abc", 'ECHO "a"b', "ECHO 'a'b", 'ECHO "a\\"', 'ECHO "\\']) {
      expect(parse(`${line}\r\n`)).toEqual(["Protocol error: unbalanced quotes in request"])
    }
  })

  it("splitInlineArgs stops at a NUL byte, as Redis splits a C string", () => {
    expect(splitInlineArgs("SET a b\0c d")).toEqual(["SET", "a", "b"])
    expect(splitInlineArgs('SET a "b\0c"')).toBeNull()
    expect(splitInlineArgs("")).toEqual([])
  })

  it("a NUL byte in a line hides its end, as Redis's strchr does", () => {
    const parser = new RequestParser()
    expect(parseChunks(["PING\0\r\nPING\r\n"], parser)).toEqual([])
    expect(parser.pendingBytes).toBe(13)
  })
})

describe("protocol errors", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["*a\r\n", "invalid multibulk length"],
    ["*\r\n", "invalid multibulk length"],
    ["*-0\r\n", "invalid multibulk length"],
    ["*01\r\n", "invalid multibulk length"],
    ["*+1\r\n", "invalid multibulk length"],
    ["* 1\r\n", "invalid multibulk length"],
    ["*9223372036854775808\r\n", "invalid multibulk length"],
    ["*-9223372036854775809\r\n", "invalid multibulk length"],
    ["*1048577\r\n", "invalid multibulk length"],
    ["*1\r\n$-1\r\n", "invalid bulk length"],
    ["*1\r\n$\r\n", "invalid bulk length"],
    ["*1\r\n$1x\r\n", "invalid bulk length"],
    ["*1\r\n$536870913\r\n", "invalid bulk length"],
    ["*1\r\nx\r\n", "expected '$', got 'x'"],
    ["*1\r\n\r\n\r\n", "expected '$', got '\r'"],
    ['PING "x\r\n', "unbalanced quotes in request"]
  ]
  for (const [request, message] of cases) {
    it(`${JSON.stringify(request)} gives ${message}`, () => {
      expect(parse(request)).toEqual([`Protocol error: ${message}`])
      expect(byteByByte(request)).toEqual([`Protocol error: ${message}`])
    })
  }

  it("commands before the bad one still come out first, and the error stays", () => {
    const parser = new RequestParser()
    expect(parseChunks(["PING\r\n*1\r\n$4\r\nECHO\r\n*1\r\n$a\r\nPING\r\n"], parser)).toEqual([
      ["PING"],
      ["ECHO"],
      "Protocol error: invalid bulk length"
    ])
    parser.feed(bytes("PING\r\n"))
    expect(parser.next()).toBeInstanceOf(ProtocolError)
  })

  it("accepts the largest multibulk count without allocating for it", () => {
    const parser = new RequestParser()
    expect(parseChunks(["*1048576\r\n$1\r\na\r\n"], parser)).toEqual([])
    expect(parser.pendingBytes).toBe(0)
  })

  it("honours the bulk limit it is given, read on every header", () => {
    const limits = { maxBulkLength: 5 }
    const parser = new RequestParser(limits)
    expect(parseChunks(["*1\r\n$5\r\nhello\r\n"], parser)).toEqual([["hello"]])
    limits.maxBulkLength = 4
    expect(parseChunks(["*1\r\n$5\r\nhello\r\n"], parser)).toEqual(["Protocol error: invalid bulk length"])
  })

  it("lines without an end are too big past 64 KB of buffered bytes", () => {
    for (const [before, lineStart, message] of [
      ["", "", "too big inline request"],
      ["", "*", "too big mbulk count string"],
      ["*1\r\n", "$", "too big bulk count string"]
    ] as const) {
      // Exactly 64 KB of the line buffered is still allowed; one more byte is not.
      const parser = new RequestParser()
      const line = lineStart + "1".repeat(INLINE_MAX_SIZE - lineStart.length)
      expect(parseChunks([before + line], parser)).toEqual([])
      expect(parseChunks(["1"], parser)).toEqual([`Protocol error: ${message}`])
    }
  })

  it("a line whose LF lies past 64 KB is too big even when it arrives whole", () => {
    // What counts is the LF's offset from the line's start: at most 65536, the CR included.
    const arg = "a".repeat(INLINE_MAX_SIZE - 6)
    const tooBig = ["Protocol error: too big inline request"]
    for (const [line, expected] of [
      [`ECHO ${arg}\r\n`, [["ECHO", arg]]],
      [`ECHO ${arg}b\r\n`, tooBig],
      [`ECHO ${arg}b\n`, [["ECHO", `${arg}b`]]],
      [`ECHO ${arg}bc\n`, tooBig]
    ] as const) {
      expect(parse(line)).toEqual(expected)
      expect(byteByByte(line)).toEqual(expected)
    }
    expect(parse(`*${"1".repeat(INLINE_MAX_SIZE)}\r\n`)).toEqual(["Protocol error: too big mbulk count string"])
  })
})

describe("memory and work follow the bytes received", () => {
  it("a huge declared bulk is not allocated up front", () => {
    const parser = new RequestParser()
    parseChunks(["*1\r\n$536870000\r\n"], parser)
    expect(parser.pendingBytes).toBe(0)
    const chunk = Buffer.alloc(4096, 0x61)
    for (let i = 1; i <= 4; i++) {
      parser.feed(chunk)
      expect(parser.next()).toBeUndefined()
      expect(parser.pendingBytes).toBe(i * 4096)
    }
    expect(parser.copiedBytes).toBe(0)
  })

  it("a large bulk in many chunks is assembled once, with its neighbours", () => {
    const value = Buffer.alloc(8 * 1024 * 1024)
    for (let i = 0; i < value.length; i++) value[i] = (i * 7 + (i >> 11)) & 0xff
    const request = Buffer.concat([bytes("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$8388608\r\n"), value, bytes("\r\nPING\r\n")])
    const parser = new RequestParser()
    const commands: Array<ReadonlyArray<string>> = []
    // Chunks of 1000 bytes: the total copying must stay linear (a quadratic parser copies terabytes).
    for (let at = 0; at < request.length; at += 1000) {
      parser.feed(request.subarray(at, at + 1000))
      for (let command = parser.next(); command !== undefined; command = parser.next()) {
        if (command instanceof ProtocolError) throw new Error(command.message)
        commands.push(command)
      }
    }
    expect(commands.map((command) => `${command[0]}/${command.length}`)).toEqual(["PING/1", "SET/3", "PING/1"])
    expect(bytes(commands[1][2]).equals(value)).toBe(true)
    expect(parser.copiedBytes).toBeLessThanOrEqual(request.length * 1.01)
    expect(parser.pendingBytes).toBe(0)
  })

  it("partial lines fed byte by byte are copied a bounded number of times", () => {
    const line = `ECHO ${"x".repeat(60_000)}\r\n`
    const parser = new RequestParser()
    expect(parseChunks([...line], parser)).toEqual([["ECHO", "x".repeat(60_000)]])
    expect(parser.copiedBytes).toBeLessThanOrEqual(3 * line.length)
  })

  it("many chunks fed before the next pull are still copied a bounded number of times", () => {
    const request = "*2\r\n$4\r\nECHO\r\n$100000\r\n" + "y".repeat(100_000) + "\r\n"
    const parser = new RequestParser()
    for (const byte of request) parser.feed(bytes(byte))
    expect(parser.pendingBytes).toBe(request.length)
    expect(parser.next()).toEqual(["ECHO", "y".repeat(100_000)])
    expect(parser.copiedBytes).toBeLessThanOrEqual(3 * request.length)
  })

  it("a pipeline whose chunks end on command boundaries is not copied at all", () => {
    const parser = new RequestParser()
    expect(parseChunks(["*1\r\n$4\r\nPING\r\n", "PING\r\n", "*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n"], parser)).toHaveLength(3)
    expect(parser.copiedBytes).toBe(0)
  })
})

/** What a server answers to some raw bytes: everything it sent, and whether it closed. */
interface Answer {
  readonly reply: string
  readonly closed: boolean
}

/** Sent after every request: once its reply arrives, the server has answered everything before it. */
const SENTINEL = "*2\r\n$4\r\nECHO\r\n$9\r\nsentinel!\r\n"
const SENTINEL_REPLY = "$9\r\nsentinel!\r\n"

/**
 * Sends `request` and the sentinel, and collects the reply until the server closes or answers
 * the sentinel. A request that leaves the server waiting for more bytes swallows the sentinel:
 * then the answer is whatever arrived once the server stayed quiet for `quietMs`. The cases run
 * at once, so our in-process server sets up ~50 connections together: on a loaded 2-core machine
 * with another test file busy beside it, that was seen to take over a second (~20 ms each).
 */
const exchange = (port: number, request: string, quietMs = 3000): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1")
    let reply = ""
    let timer: NodeJS.Timeout | undefined
    const finish = (closed: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ reply, closed })
    }
    const quiet = () => {
      clearTimeout(timer)
      timer = setTimeout(() => finish(false), quietMs)
    }
    socket.on("connect", () => {
      socket.write(bytes(request + SENTINEL))
      quiet()
    })
    socket.on("data", (data) => {
      reply += data.toString("latin1")
      if (reply.endsWith(SENTINEL_REPLY)) finish(false)
      else quiet()
    })
    socket.on("close", () => finish(true))
    // A server that closes with part of a long request unread resets the connection (either
    // server may): what arrived before the reset was read first, so it is a close like any other.
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" || error.code === "EPIPE" ? finish(true) : reject(error)
    )
  })

describe.skipIf(!hasRealRedis)("the same raw bytes get the same answer as from real Redis", () => {
  let ours: RunningServer
  let redis: RunningServer
  beforeAll(async () => {
    ours = await startRedfiber()
    redis = await startRealRedis()
  })
  afterAll(async () => {
    await ours?.stop()
    await redis?.stop()
  })

  const cases: ReadonlyArray<string> = [
    // inline
    "PING\r\n", "PING\n", "ping\r\n", "\r\n\n\r\nPING\r\n", "  PING  \r\n", "\x0bPING\r\n", "PI\x0bNG\r\n", "PING\rx\n",
    'ECHO "b c"\r\n', 'ECHO "\\x41\\x4"\r\n', 'ECHO "\\n\\t\\r\\b\\a\\q\\\\\\""\r\n', "ECHO 'a\\'b'\r\n",
    "ECHO 'a\\b'\r\n", 'ECHO a"b c"\r\n', 'ECHO ""\r\n', '""\r\n', 'ECHO "\\xff\\xFe"\r\n',
    'ECHO "a"b\r\n', "ECHO 'a'b\r\n", 'ECHO "abc\r\n', "ECHO 'abc\r\n", 'ECHO "a\\"\r\n', 'ECHO x"\r\n',
    "PING\0\r\nPING\r\n", "ECHO a\0b\r\n", "ECHO \xff\x80\r\n", "SELECT 99\r\n", "SELECT x\r\n",
    "QUIT\r\nPING\r\n", "ECHO\r\n", "PING a b\r\n",
    // multibulk
    "*0\r\n*-1\r\nPING\r\n", "*-9007199254740993\r\nPING\r\n", "*-9223372036854775808\r\nPING\r\n",
    "*1\r\n$4\r\nPINGxx", "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", "*1\r\nx\r\n", "*1\r\nx", "*1\r\n\r\n\r\n",
    "*a\r\n", "*\r\n", "*-0\r\n", "*01\r\n", "*+1\r\n", "* 1\r\n", "*1 \r\n", "*9223372036854775808\r\n",
    "*-9223372036854775809\r\n", "*1\0\r\n", "*1\r\n$-1\r\n", "*1\r\n$a\r\n", "*1\r\n$\r\n", "*1\r\n$01\r\nx\r\n",
    "*1\r\n$536870913\r\n", "*1\r\n$4\r\nPING", "*1\r\n$4\r\nPING\r\n*1\r\n$a\r\n",
    "*1\r\n$4\r\nPING\r\nPING \"x\r\n", "*1\r\n$4\r\nQUIT\r\nPING\r\n", "*2\r\n$6\r\nSELECT\r\n$2\r\n99\r\n",
    "*1\r\n$4\r\nPONG\r\n", "*3\r\n$4\r\nECHO\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$4\r\nECHO\r\n$3\r\n\0\xff\n\r\n",
    // too big: Redis reads greedily, so its limit is only sure to bite well past 64 KB
    "A".repeat(300_000), `*${"1".repeat(300_000)}`, `*1\r\n$${"1".repeat(300_000)}`, `PING\r\n${"B".repeat(300_000)}`
  ]

  it("for tricky inline and protocol-error cases", async () => {
    const answers = await Promise.all(
      cases.map(async (request) => {
        const [mine, theirs] = await Promise.all([exchange(ours.port, request), exchange(redis.port, request)])
        const shown = (answer: Answer) => `${JSON.stringify(answer.reply.slice(0, 200))}${answer.closed ? " (closed)" : ""}`
        return { request: JSON.stringify(request.slice(0, 60)), mine: shown(mine), theirs: shown(theirs) }
      })
    )
    expect(answers.filter(({ mine, theirs }) => mine !== theirs)).toEqual([])
  })
})
