/**
 * Properties of the request parser over random streams: mixes of multibulk requests with random
 * binary arguments (empty ones included), inline requests written with every quoting style,
 * empty lines and `*0` / `*-1`, fed whole, split at random points, and byte by byte. The parser
 * must yield exactly the commands that were encoded, whatever the split; on random garbage it
 * must give the same commands and the same error whatever the split.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { ProtocolError, RequestParser } from "../../src/protocol/Parser.js"
import { RawClient } from "../support/RawClient.js"
import { showReply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** One request: its bytes (latin1) and the commands it stands for. */
interface Request {
  readonly text: string
  readonly commands: ReadonlyArray<ReadonlyArray<string>>
}

type Outcome = Array<ReadonlyArray<string> | string>

/** Feeds the chunks one by one, draining after each; an error ends the outcome as its message. */
const run = (chunks: ReadonlyArray<Buffer>): Outcome => {
  const parser = new RequestParser()
  const out: Outcome = []
  for (const chunk of chunks) {
    parser.feed(chunk)
    for (let result = parser.next(); result !== undefined; result = parser.next()) {
      if (result instanceof ProtocolError) return [...out, result.message]
      out.push(result)
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
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1")

// ---- multibulk requests ----

const binaryArg = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 24 }).map(latin1) },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 5000 }).map(latin1) }
)
const multibulk: fc.Arbitrary<Request> = fc.array(binaryArg, { minLength: 1, maxLength: 5 }).map((args) => ({
  text: `*${args.length}\r\n${args.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("")}`,
  commands: [args]
}))

// ---- inline requests: arguments and a way to write each one that sdssplitargs reads back ----

const isBlank = (c: string) => c === " " || (c >= "\t" && c <= "\r")
/** Any byte: a NUL or LF can only be written escaped in double quotes (raw, they would end the line). */
const inlineByte = fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b))
const interestingByte = fc.constantFrom(..."\"'\\ \t\r\x0b\x0cabx0*")
const inlineArg = fc
  .array(fc.oneof(inlineByte, interestingByte), { maxLength: 12 })
  .map((chars) => chars.join(""))

const plainForm = (arg: string) =>
  arg.length > 0 && !isBlank(arg[0]) && ![...arg].some((c) => " \t\r\n\"'\0".includes(c)) ? fc.constant(arg) : undefined

const NAMED_ESCAPES: Record<string, string> = { "\n": "n", "\r": "r", "\t": "t", "\b": "b", "\x07": "a" }

/** One byte inside double quotes, written in style 0 (as is), 1 or 2 (\xhh, \xHH) or 3 (\n and the like, or \c). */
const doubleQuotedByte = (c: string, style: number): string => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, "0")
  if (style === 1) return `\\x${hex}`
  if (style === 2) return `\\x${hex.toUpperCase()}`
  if (style === 3 && NAMED_ESCAPES[c] !== undefined) return `\\${NAMED_ESCAPES[c]}`
  // A backslash before any other byte stands for that byte (but \x may start a hex escape).
  if (style === 3 && !"nrtbax\0\n".includes(c)) return `\\${c}`
  if (c === '"' || c === "\\") return `\\${c}`
  return c === "\0" || c === "\n" ? `\\x${hex}` : c
}

const doubleQuotedForm = (arg: string) =>
  fc
    .array(fc.integer({ min: 0, max: 3 }), { minLength: arg.length, maxLength: arg.length })
    .map((styles) => `"${[...arg].map((c, i) => doubleQuotedByte(c, styles[i])).join("")}"`)

const singleQuotedForm = (arg: string) =>
  arg.endsWith("\\") || arg.includes("\n") || arg.includes("\0")
    ? undefined
    : fc.constant(`'${arg.replaceAll("'", "\\'")}'`)

/** One way (chosen at random among those that work) to write `arg` in an inline request. */
const inlineForm = (arg: string) =>
  fc.oneof(...[plainForm(arg), doubleQuotedForm(arg), singleQuotedForm(arg)].filter((form) => form !== undefined))

/** An inline request for the arguments, each written in a random form, with random blanks around them. */
const inlineRequest = (argsArbitrary: fc.Arbitrary<ReadonlyArray<string>>): fc.Arbitrary<Request> =>
  argsArbitrary
    .chain((args) =>
      fc.tuple(
        fc.constant(args),
        fc.tuple(...args.map(inlineForm)),
        fc.array(fc.stringMatching(/^[ \t]{1,3}$/), { minLength: args.length, maxLength: args.length }),
        fc.constantFrom("", " ", "\t", " \x0b", "\x0c "),
        fc.constantFrom("\r\n", "\n")
      )
    )
    .map(([args, forms, gaps, lead, end]) => {
      // A line starting with `*` would be a multibulk header.
      const first = lead === "" && forms[0].startsWith("*") ? `"${forms[0].replaceAll("\\", "\\\\")}"` : forms[0]
      let text = lead + first
      for (let i = 1; i < forms.length; i++) text += gaps[i] + forms[i]
      return { text: text + gaps[0] + end, commands: [args] }
    })

const inline = inlineRequest(fc.array(inlineArg, { minLength: 1, maxLength: 4 }))

const skipped: fc.Arbitrary<Request> = fc
  .constantFrom("\r\n", "\n", "  \r\n", "\t\n", "*0\r\n", "*-1\r\n", "*-12345678901\r\n")
  .map((text) => ({ text, commands: [] }))

const stream = fc
  .array(fc.oneof({ weight: 4, arbitrary: multibulk }, { weight: 3, arbitrary: inline }, { weight: 1, arbitrary: skipped }), {
    minLength: 1,
    maxLength: 12
  })
  .map((requests) => ({
    bytes: Buffer.from(requests.map((request) => request.text).join(""), "latin1"),
    commands: requests.flatMap((request) => request.commands)
  }))

const cuts = fc.array(fc.nat(), { maxLength: 30 })

describe("the parser on random valid streams", () => {
  it("yields exactly the encoded commands, whole, split anywhere, and byte by byte", () => {
    fc.assert(
      fc.property(stream, cuts, ({ bytes, commands }, at) => {
        expect(run([bytes])).toEqual(commands)
        expect(run(split(bytes, at))).toEqual(commands)
        if (bytes.length <= 4000) expect(run(byteByByte(bytes))).toEqual(commands)
      }),
      { numRuns: 400 }
    )
  })

  it("commands before garbage still come out, whatever follows", () => {
    fc.assert(
      fc.property(stream, fc.uint8Array({ minLength: 1, maxLength: 50 }), cuts, ({ bytes, commands }, garbage, at) => {
        const whole = Buffer.concat([bytes, garbage])
        const outcome = run(split(whole, at))
        expect(outcome.slice(0, commands.length)).toEqual(commands)
      }),
      { numRuns: 200 }
    )
  })
})

/** Bytes biased towards the protocol's own, so that headers, quotes and errors all happen. */
const protocolishByte = fc.oneof(
  fc.constantFrom(..."*$\r\n\r\n0123456789-+ \"'\\xaP\0").map((c) => c.charCodeAt(0)),
  fc.integer({ min: 0, max: 255 })
)
const garbage = fc.array(protocolishByte, { maxLength: 300 }).map((bytes) => Buffer.from(bytes))

describe("the parser on random garbage", () => {
  it("gives the same commands and the same error whatever the split", () => {
    fc.assert(
      fc.property(garbage, cuts, (bytes, at) => {
        const whole = run([bytes])
        expect(run(split(bytes, at))).toEqual(whole)
        expect(run(byteByByte(bytes))).toEqual(whole)
      }),
      { numRuns: 1000 }
    )
  })
})

describe.skipIf(!hasRealRedis)("inline requests against real Redis", () => {
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

  it("Redis reads our random quoting of an argument back as that argument", async () => {
    const echo = inlineRequest(inlineArg.map((arg) => ["ECHO", arg]))
    const clients = [await RawClient.connect(redis.port), await RawClient.connect(ours.port)]
    try {
      await fc.assert(
        fc.asyncProperty(echo, async ({ text, commands }) => {
          for (const client of clients) {
            client.write(text)
            expect(await client.read()).toEqual({ kind: "bulk", value: commands[0][1] })
          }
        }),
        { numRuns: 300 }
      )
    } finally {
      for (const client of clients) client.close()
    }
  })

  /** The reply to one raw inline line (the first reply only), and whether the connection then closed. */
  const answer = async (port: number, line: string): Promise<string> => {
    const client = await RawClient.connect(port)
    try {
      client.write(line)
      const reply = showReply(await client.read())
      if (!reply.startsWith("-ERR Protocol error")) return reply
      await client.waitClosed()
      return `${reply} (closed)`
    } finally {
      client.close()
    }
  }

  it("random lines of quotes, escapes and blanks get the same answer from both", async () => {
    const line = fc
      .array(fc.constantFrom(..."\"'\\ \t\x0b\x0cax4Fn\r"), { maxLength: 16 })
      .map((chars) => `XCMD ${chars.join("")}\r\n`)
    await fc.assert(
      fc.asyncProperty(line, async (text) => {
        expect(await answer(ours.port, text)).toBe(await answer(redis.port, text))
      }),
      { numRuns: 150 }
    )
  })
})
