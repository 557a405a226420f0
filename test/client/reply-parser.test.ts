/**
 * The client's reply parser on hand-written replies: every RESP2 type, nesting, int64 edges,
 * binary bulks, malformed input — each fed whole, split at every byte, and byte by byte.
 */
import { describe, expect, it } from "@effect/vitest"
import { RedisReplyError } from "../../src/client/errors.js"
import { ReplyParser, RespProtocolError } from "../../src/client/ReplyParser.js"
import type { RespValue } from "../../src/client/RespValue.js"

/** Feeds the chunks in order, draining after each. */
const parseChunks = (chunks: ReadonlyArray<Buffer>, encoding?: BufferEncoding): Array<RespValue> => {
  const parser = new ReplyParser(encoding)
  const replies: Array<RespValue> = []
  for (const chunk of chunks) {
    parser.feed(chunk)
    for (let reply = parser.next(); reply !== undefined; reply = parser.next()) replies.push(reply)
  }
  return replies
}

/** The same input fed whole, cut in two at every position, and byte by byte: one result. */
const parseEverySplit = (input: Buffer | string): Array<RespValue> => {
  const bytes = typeof input === "string" ? Buffer.from(input, "latin1") : input
  const whole = parseChunks([bytes])
  for (let cut = 0; cut <= bytes.length; cut++) {
    expect(parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(whole)
  }
  const single = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
  expect(parseChunks(single), "byte by byte").toEqual(whole)
  return whole
}

const bulk = (text: string) => Buffer.from(text, "latin1")
const replyErrorOf = (text: string, prefix: string) => new RedisReplyError({ message: text, prefix })

describe("ReplyParser", () => {
  it("parses each RESP2 type", () => {
    expect(parseEverySplit("+OK\r\n")).toEqual(["OK"])
    expect(parseEverySplit("+\r\n")).toEqual([""])
    expect(parseEverySplit(":0\r\n:-1\r\n:42\r\n")).toEqual([0, -1, 42])
    expect(parseEverySplit("$5\r\nhello\r\n$0\r\n\r\n")).toEqual([bulk("hello"), bulk("")])
    expect(parseEverySplit("$-1\r\n*-1\r\n")).toEqual([null, null])
    expect(parseEverySplit("*0\r\n")).toEqual([[]])
    expect(parseEverySplit("*3\r\n$1\r\na\r\n:1\r\n$-1\r\n")).toEqual([[bulk("a"), 1, null]])
  })

  it("parses error replies with their prefix", () => {
    const [error] = parseEverySplit("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
    expect(error).toBeInstanceOf(RedisReplyError)
    expect(error).toEqual(replyErrorOf("WRONGTYPE Operation against a key holding the wrong kind of value", "WRONGTYPE"))
    expect(parseEverySplit("-ERR\r\n")).toEqual([replyErrorOf("ERR", "ERR")])
    expect(parseEverySplit("*2\r\n-ERR x\r\n+QUEUED\r\n")).toEqual([[replyErrorOf("ERR x", "ERR"), "QUEUED"]])
  })

  it("nests arrays to any depth and closes them all at once", () => {
    expect(parseEverySplit("*2\r\n*2\r\n*1\r\n:1\r\n*0\r\n:2\r\n")).toEqual([[[[1], []], 2]])
    const depth = 1000
    const deep = "*1\r\n".repeat(depth) + ":7\r\n"
    let expected: RespValue = 7
    for (let i = 0; i < depth; i++) expected = [expected]
    expect(parseChunks([bulk(deep)])).toEqual([expected])
  })

  it("keeps int64 integers exact: numbers while safe, bigints beyond", () => {
    expect(parseEverySplit(":9007199254740991\r\n:-9007199254740991\r\n")).toEqual([
      9007199254740991,
      -9007199254740991
    ])
    expect(parseEverySplit(":9007199254740992\r\n:9223372036854775807\r\n:-9223372036854775808\r\n")).toEqual([
      9007199254740992n,
      9223372036854775807n,
      -9223372036854775808n
    ])
    expect(parseEverySplit(":123456789012345\r\n:0001234567890123456\r\n")).toEqual([123456789012345, 1234567890123456])
  })

  it("keeps binary bulks byte for byte, CR and LF included", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const input = Buffer.concat([Buffer.from("$256\r\n"), all, Buffer.from("\r\n$2\r\n\r\n\r\n")])
    expect(parseEverySplit(input)).toEqual([all, bulk("\r\n")])
  })

  it("decodes simple strings and errors as UTF-8, or latin1 when asked", () => {
    const input = Buffer.from("+caf\u00e9\r\n-ERR \u00ff\r\n", "utf8")
    expect(parseChunks([input])).toEqual(["caf\u00e9", replyErrorOf("ERR \u00ff", "ERR")])
    expect(parseChunks([input], "latin1")).toEqual(["caf\u00c3\u00a9", replyErrorOf("ERR \u00c3\u00bf", "ERR")])
  })

  it("returns nothing until a reply is whole, then each reply once", () => {
    const parser = new ReplyParser()
    parser.feed(bulk("*2\r\n$3\r\nfo"))
    expect(parser.next()).toBe(undefined)
    parser.feed(bulk("o\r\n"))
    expect(parser.next()).toBe(undefined)
    parser.feed(bulk(":5\r\n+A\r\n+B"))
    expect(parser.next()).toEqual([bulk("foo"), 5])
    expect(parser.next()).toEqual("A")
    expect(parser.next()).toBe(undefined)
    parser.feed(bulk("\r\n"))
    expect(parser.next()).toEqual("B")
    expect(parser.next()).toBe(undefined)
  })

  it("joins a large bulk once, whatever the number of chunks", () => {
    const value = Buffer.alloc(1_000_000, 0x61)
    const input = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n:1\r\n")])
    const chunks: Array<Buffer> = []
    for (let i = 0; i < input.length; i += 1000) chunks.push(input.subarray(i, i + 1000))
    const [reply, next] = parseChunks(chunks)
    expect(Buffer.isBuffer(reply) && reply.equals(value)).toBe(true)
    expect(next).toBe(1)
  })

  it("a bulk it returns is a copy: later chunks do not change it", () => {
    const parser = new ReplyParser()
    const chunk = bulk("$3\r\nabc\r\n")
    parser.feed(chunk)
    const reply = parser.next() as Buffer
    chunk.fill(0x7a)
    expect(reply.toString()).toBe("abc")
  })

  const malformed: ReadonlyArray<readonly [string, RegExp]> = [
    ["?x\r\n", /unexpected reply type byte 0x3f/],
    ["+OK\n", /line not ended by CRLF/],
    ["\r\n", /line not ended by CRLF/],
    [":12a\r\n", /invalid integer '12a'/],
    [":\r\n", /invalid integer ''/],
    [":-\r\n", /invalid integer '-'/],
    [":12345678901234567890\r\n", /invalid integer/],
    [":9223372036854775808\r\n", /integer out of range/],
    ["$-2\r\n", /invalid length '-2'/],
    ["$x\r\n", /invalid length 'x'/],
    ["*\r\n", /invalid length ''/],
    ["$3\r\nabcd\r\n", /bulk string not followed by CRLF/],
    ["$99999999999\r\n", /too long/],
    ["%1\r\n", /unexpected reply type byte 0x25/]
  ]

  it("throws RespProtocolError on malformed input, split or not, and stays failed", () => {
    for (const [input, message] of malformed) {
      const bytes = bulk(input)
      for (let cut = 0; cut <= bytes.length; cut++) {
        expect(() => parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)]), `${JSON.stringify(input)} cut at ${cut}`)
          .toThrow(message)
      }
      const parser = new ReplyParser()
      parser.feed(bytes)
      expect(() => parser.next()).toThrow(RespProtocolError)
      expect(() => parser.next()).toThrow(message)
    }
  })

  it("replies before a malformed one are returned first", () => {
    const parser = new ReplyParser()
    parser.feed(bulk("+A\r\n:1\r\n?\r\n"))
    expect(parser.next()).toBe("A")
    expect(parser.next()).toBe(1)
    expect(() => parser.next()).toThrow(RespProtocolError)
  })
})
