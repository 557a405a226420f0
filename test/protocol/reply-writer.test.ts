/**
 * The reply encoder: every reply kind byte for byte, binary safety, growth past its initial
 * buffer and past the size it keeps between batches, and `take()` handing out an independent
 * copy. A property checks random reply trees read back, through the tests' RESP reader, as written.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { type Reply, readReply } from "../support/RespReader.js"

const written = (write: (out: ReplyWriter) => void): string => {
  const out = new ReplyWriter()
  write(out)
  return out.take().toString("latin1")
}

describe("reply kinds, byte for byte", () => {
  it("simple strings, OK and raw", () => {
    expect(written((out) => out.simple("PONG"))).toBe("+PONG\r\n")
    expect(written((out) => out.simple(""))).toBe("+\r\n")
    expect(written((out) => out.ok())).toBe("+OK\r\n")
    expect(written((out) => out.raw("*1\r\n:1\r\n"))).toBe("*1\r\n:1\r\n")
  })

  it("errors, with CR and LF inside turned into spaces", () => {
    expect(written((out) => out.error("ERR syntax error"))).toBe("-ERR syntax error\r\n")
    expect(written((out) => out.error("ERR a\r\nb\nc\rd"))).toBe("-ERR a  b c d\r\n")
    // The replacement holds on every call, not just the first (no regex state leaks between calls).
    expect(written((out) => {
      out.error("ERR x\ny")
      out.error("ERR p\nq")
    })).toBe("-ERR x y\r\n-ERR p q\r\n")
  })

  it("integers as numbers and bigints, negative and at the int64 extremes", () => {
    const cases: ReadonlyArray<readonly [number | bigint, string]> = [
      [0, ":0"], [7, ":7"], [10, ":10"], [-1, ":-1"], [-10, ":-10"], [1234567890, ":1234567890"],
      [Number.MAX_SAFE_INTEGER, ":9007199254740991"], [Number.MIN_SAFE_INTEGER, ":-9007199254740991"],
      [0n, ":0"], [-5n, ":-5"],
      [9223372036854775807n, ":9223372036854775807"], [-9223372036854775808n, ":-9223372036854775808"]
    ]
    for (const [value, text] of cases) expect(written((out) => out.integer(value))).toBe(`${text}\r\n`)
  })

  it("32-bit integers at every digit-count boundary, and from their digits", () => {
    const values = [2147483647, -2147483648, -2147483647]
    for (let power = 1; power <= 1e9; power *= 10) values.push(power - 1, power, -(power - 1), -power)
    for (const value of values) {
      expect(written((out) => out.integer(value))).toBe(`:${value}\r\n`)
      expect(written((out) => out.integerDigits(String(value)))).toBe(`:${value}\r\n`)
      expect(written((out) => out.arrayHeader(Math.abs(value)))).toBe(`*${Math.abs(value)}\r\n`)
    }
  })

  it("bulk strings, empty, null, and from bytes", () => {
    expect(written((out) => out.bulk("hello"))).toBe("$5\r\nhello\r\n")
    expect(written((out) => out.bulk(""))).toBe("$0\r\n\r\n")
    expect(written((out) => out.nullBulk())).toBe("$-1\r\n")
    expect(written((out) => out.bulkOrNull(undefined))).toBe("$-1\r\n")
    expect(written((out) => out.bulkOrNull("x"))).toBe("$1\r\nx\r\n")
    expect(written((out) => out.bulkBytes(Uint8Array.of(0, 13, 10, 255)))).toBe("$4\r\n\0\r\n\xff\r\n")
  })

  it("arrays: null, empty, of bulks with holes, and nested", () => {
    expect(written((out) => out.nullArray())).toBe("*-1\r\n")
    expect(written((out) => out.arrayHeader(0))).toBe("*0\r\n")
    expect(written((out) => out.bulkArray(["a", undefined, ""]))).toBe("*3\r\n$1\r\na\r\n$-1\r\n$0\r\n\r\n")
    expect(written((out) => {
      out.arrayHeader(2)
      out.arrayHeader(2)
      out.integer(1)
      out.bulk("x")
      out.arrayHeader(1)
      out.nullArray()
    })).toBe("*2\r\n*2\r\n:1\r\n$1\r\nx\r\n*1\r\n*-1\r\n")
  })

  it("every byte 0x00-0xFF round-trips through a bulk", () => {
    let all = ""
    for (let b = 0; b < 256; b++) all += String.fromCharCode(b)
    const out = new ReplyWriter()
    out.bulk(all)
    const bytes = out.take()
    expect(bytes.subarray(0, 6).toString("latin1")).toBe("$256\r\n")
    for (let b = 0; b < 256; b++) expect(bytes[6 + b]).toBe(b)
    expect(bytes.subarray(262).toString("latin1")).toBe("\r\n")
  })
})

describe("typed replies per protocol", () => {
  const inProtocol = (protocol: number, write: (out: ReplyWriter) => void) =>
    written((out) => {
      out.protocol = protocol
      write(out)
    })
  const typed = (out: ReplyWriter) => {
    out.mapHeader(2)
    out.setHeader(3)
    out.pushHeader(3)
    out.double("1.5")
    out.double("-inf")
    out.boolean(true)
    out.boolean(false)
    out.nullBulk()
    out.nullArray()
    out.verbatim("a=1\n")
  }

  it("RESP2 spells maps, sets and pushes as arrays, doubles as bulks, booleans as integers, verbatim text as a bulk", () => {
    expect(inProtocol(2, typed)).toBe("*4\r\n*3\r\n*3\r\n$3\r\n1.5\r\n$4\r\n-inf\r\n:1\r\n:0\r\n$-1\r\n*-1\r\n$4\r\na=1\n\r\n")
  })

  it("RESP3 uses its own types, and one null for both nulls", () => {
    expect(inProtocol(3, typed)).toBe("%2\r\n~3\r\n>3\r\n,1.5\r\n,-inf\r\n#t\r\n#f\r\n_\r\n_\r\n=8\r\ntxt:a=1\n\r\n")
  })

  it("RESP3's verbatim text may be long", () => {
    const text = "x".repeat(40_000)
    expect(inProtocol(3, (out) => out.verbatim(text))).toBe(`=40004\r\ntxt:${text}\r\n`)
  })
})

describe("the buffer", () => {
  it("grows past 16 KB and past 1 MB, keeping everything written", () => {
    const out = new ReplyWriter()
    const piece = "0123456789abcdef".repeat(64) // 1 KB
    let expected = ""
    for (let i = 0; i < 20; i++) {
      out.bulk(piece)
      expected += `$1024\r\n${piece}\r\n`
    }
    expect(out.size).toBe(expected.length)
    const big = "z".repeat(3 * 1024 * 1024)
    out.bulk(big)
    expected += `$${big.length}\r\n${big}\r\n`
    out.integer(-42)
    expected += ":-42\r\n"
    expect(out.take().toString("latin1") === expected).toBe(true)
    // After a big batch the writer starts over and still works.
    out.simple("after")
    expect(out.take().toString("latin1")).toBe("+after\r\n")
  })

  it("take() hands out an independent Buffer and starts over", () => {
    const out = new ReplyWriter()
    out.bulk("first")
    const first = out.take()
    expect(out.size).toBe(0)
    out.bulk("SECOND")
    out.take().fill(0)
    expect(first.toString("latin1")).toBe("$5\r\nfirst\r\n")
    expect(out.take().length).toBe(0)
  })

  it("truncate() forgets a partial reply", () => {
    const out = new ReplyWriter()
    out.ok()
    const mark = out.size
    out.arrayHeader(3)
    out.bulk("partial")
    out.truncate(mark)
    out.error("ERR replaced")
    expect(out.take().toString("latin1")).toBe("+OK\r\n-ERR replaced\r\n")
  })
})

// ---- random reply trees ----

const byteString = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
const lineText = byteString.map((text) => text.replace(/[\r\n]/g, ""))
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })

const { reply } = fc.letrec<{ reply: Reply }>((tie) => ({
  reply: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    lineText.map((value): Reply => ({ kind: "simple", value })),
    lineText.map((value): Reply => ({ kind: "error", value })),
    fc.oneof(int64, fc.integer()).map((value): Reply => ({ kind: "integer", value: String(value) })),
    fc.option(byteString, { nil: null }).map((value): Reply => ({ kind: "bulk", value })),
    fc.constant<Reply>({ kind: "array", value: null }),
    fc.array(tie("reply"), { maxLength: 5 }).map((value): Reply => ({ kind: "array", value }))
  )
}))

const write = (out: ReplyWriter, value: Reply): void => {
  switch (value.kind) {
    case "simple":
      return out.simple(value.value)
    case "error":
      return out.error(value.value)
    case "integer":
      return out.integer(Number.isSafeInteger(Number(value.value)) ? Number(value.value) : BigInt(value.value))
    case "bulk":
      return out.bulkOrNull(value.value ?? undefined)
    case "array":
      if (value.value === null) return out.nullArray()
      out.arrayHeader(value.value.length)
      for (const item of value.value) write(out, item)
  }
}

describe("random replies", () => {
  it("read back exactly as written, one after another", () => {
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 8 }), (replies) => {
        const out = new ReplyWriter()
        for (const value of replies) write(out, value)
        const bytes = out.take()
        const read: Array<Reply> = []
        for (let at = 0; at < bytes.length;) {
          const next = readReply(bytes, at)
          if (next === undefined) throw new Error("incomplete reply")
          read.push(next[0])
          at = next[1]
        }
        expect(read).toEqual(replies)
      }),
      { numRuns: 300 }
    )
  })
})
