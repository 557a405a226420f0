/**
 * Properties of the client's reply parser over random reply streams: random trees of every RESP2
 * type (binary bulks, int64 edges, nulls, nested and empty arrays, errors), encoded, then fed
 * whole, split at random points, and byte by byte. The parser must give back exactly the values
 * that were encoded, whatever the split; and on random garbage, the same outcome whatever the split.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { replyError, RedisReplyError } from "../../src/client/errors.js"
import { ReplyParser, RespProtocolError } from "../../src/client/ReplyParser.js"
import type { RespValue } from "../../src/client/RespValue.js"

/** RESP2 bytes for a value (the encoding a server would send). */
const encode = (value: RespValue): Buffer => {
  if (value === null) return Buffer.from("$-1\r\n")
  if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n")])
  if (typeof value === "string") return Buffer.from(`+${value}\r\n`, "utf8")
  if (typeof value === "number" || typeof value === "bigint") return Buffer.from(`:${value}\r\n`)
  if (value instanceof RedisReplyError) return Buffer.from(`-${value.message}\r\n`, "utf8")
  const items = value as ReadonlyArray<RespValue>
  return Buffer.concat([Buffer.from(`*${items.length}\r\n`), ...items.map(encode)])
}

/** Text without CR or LF (simple strings and errors cannot hold them). */
const lineText = fc.string({ maxLength: 20 }).map((text) => text.replace(/[\r\n]/g, " "))
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n): number | bigint =>
  n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n
)
const leaf: fc.Arbitrary<RespValue> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 2000, maxLength: 9000 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 2, arbitrary: lineText },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: int64 },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: lineText.map((text) => replyError(`ERR ${text}`)) }
)
const { tree } = fc.letrec<{ tree: RespValue }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("tree"), { maxLength: 5 })
  )
}))
/** Replies as a connection receives them: a top-level error is a reply of its own. */
const replies = fc.array(tree, { minLength: 1, maxLength: 8 })

/** A comparable form of a value (deep equality on large Buffers is slow): tagged, types kept apart. */
type Shown = string | ReadonlyArray<Shown>
const show = (value: RespValue): Shown => {
  if (value === null) return "null"
  if (Buffer.isBuffer(value)) return `bulk:${value.toString("latin1")}`
  if (typeof value === "string") return `simple:${value}`
  if (typeof value === "number") return `number:${value}`
  if (typeof value === "bigint") return `bigint:${value}`
  if (value instanceof RedisReplyError) return `error:${value.prefix}|${value.message}`
  return (value as ReadonlyArray<RespValue>).map(show)
}

type Outcome = Array<Shown>

const run = (chunks: ReadonlyArray<Buffer>): Outcome => {
  const parser = new ReplyParser()
  const out: Outcome = []
  for (const chunk of chunks) {
    parser.feed(chunk)
    try {
      for (let reply = parser.next(); reply !== undefined; reply = parser.next()) out.push(show(reply))
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error
      return [...out, `protocol error: ${error.message}`]
    }
  }
  return out
}

const split = (whole: Buffer, cuts: ReadonlyArray<number>): Array<Buffer> => {
  const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b)
  const chunks: Array<Buffer> = []
  let start = 0
  for (const point of [...points, whole.length]) {
    chunks.push(whole.subarray(start, point))
    start = point
  }
  return chunks
}
const byteByByte = (whole: Buffer) => Array.from({ length: whole.length }, (_, i) => whole.subarray(i, i + 1))

describe("ReplyParser properties", () => {
  it("gives back what was encoded, however the stream is split", () => {
    fc.assert(
      fc.property(replies, fc.array(fc.nat(), { maxLength: 12 }), (values, cuts) => {
        const whole = Buffer.concat(values.map(encode))
        const expected = values.map(show)
        expect(run([whole])).toEqual(expected)
        expect(run(split(whole, cuts))).toEqual(expected)
      }),
      { numRuns: 300 }
    )
  })

  it("gives back what was encoded when fed byte by byte", () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), (values) => {
        const whole = Buffer.concat(values.map(encode))
        expect(run(byteByByte(whole))).toEqual(values.map(show))
      }),
      { numRuns: 100 }
    )
  })

  it("on garbage, the outcome does not depend on the split", () => {
    const garbage = fc.array(
      fc.oneof(
        fc.constantFrom("+", "-", ":", "$", "*", "\r\n", "\r", "\n", "-1", "0", "12", "x", "$3\r\nabc\r\n", "*2\r\n"),
        fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
      ),
      { maxLength: 20 }
    ).map((parts) => Buffer.from(parts.join(""), "latin1"))
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 8 }), (whole, cuts) => {
        const expected = run([whole])
        expect(run(split(whole, cuts))).toEqual(expected)
        expect(run(byteByByte(whole))).toEqual(expected)
      }),
      { numRuns: 500 }
    )
  })
})
