/**
 * redfiber-cli's reply formatting, in both of redis-cli's forms: hand-written cases (taken from
 * redis-cli 7.0's output), then a differential check against the real `redis-cli` on replies of
 * every shape, built with EVAL on a real Redis (nested arrays, nil inside arrays, errors inside
 * arrays, index widths past 9, every byte value).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import { formatRaw, formatTty, quoteBytes } from "../../src/cli/format.js"
import { replyError } from "../../src/client/errors.js"
import { RedisClient } from "../../src/client/RedisClient.js"
import type { RespValue } from "../../src/client/RespValue.js"
import { hasRealRedis, type RunningServer, startRealRedis } from "../support/servers.js"

const bulk = (text: string) => Buffer.from(text, "latin1")

describe("redis-cli's reply formats", () => {
  it("quotes bytes as sdscatrepr does", () => {
    expect(quoteBytes(bulk(""))).toBe("\"\"")
    expect(quoteBytes(bulk("plain text ~!"))).toBe("\"plain text ~!\"")
    expect(quoteBytes(bulk("\\ \" \x07\b\t\r\n"))).toBe("\"\\\\ \\\" \\a\\b\\t\\r\\n\"")
    expect(quoteBytes(bulk("\x00\x01\x1f\x7f\x80\xff"))).toBe("\"\\x00\\x01\\x1f\\x7f\\x80\\xff\"")
    expect(quoteBytes(Buffer.from("\u00e9", "utf8"))).toBe("\"\\xc3\\xa9\"")
  })

  it("TTY form of each type", () => {
    expect(formatTty("OK")).toBe("OK\n")
    expect(formatTty(bulk("v"))).toBe("\"v\"\n")
    expect(formatTty(null)).toBe("(nil)\n")
    expect(formatTty(-3)).toBe("(integer) -3\n")
    expect(formatTty(9223372036854775807n)).toBe("(integer) 9223372036854775807\n")
    expect(formatTty(replyError("ERR x y"))).toBe("(error) ERR x y\n")
    expect(formatTty([])).toBe("(empty array)\n")
  })

  it("TTY form of nested arrays: indices right-aligned, nesting indented by the parent's index width", () => {
    const reply: RespValue = [1, [2, [bulk("a"), null]], bulk("x"), [], replyError("E x"), "ST"]
    expect(formatTty(reply)).toBe(
      "1) (integer) 1\n" +
        "2) 1) (integer) 2\n" +
        "   2) 1) \"a\"\n" +
        "      2) (nil)\n" +
        "3) \"x\"\n" +
        "4) (empty array)\n" +
        "5) (error) E x\n" +
        "6) ST\n"
    )
    const wide: Array<RespValue> = Array.from({ length: 12 }, (_, i) => i + 1)
    wide[2] = [bulk("a"), [bulk("b"), bulk("c")]]
    expect(formatTty(wide)).toBe(
      " 1) (integer) 1\n" +
        " 2) (integer) 2\n" +
        " 3) 1) \"a\"\n" +
        "    2) 1) \"b\"\n" +
        "       2) \"c\"\n" +
        " 4) (integer) 4\n" +
        " 5) (integer) 5\n" +
        " 6) (integer) 6\n" +
        " 7) (integer) 7\n" +
        " 8) (integer) 8\n" +
        " 9) (integer) 9\n" +
        "10) (integer) 10\n" +
        "11) (integer) 11\n" +
        "12) (integer) 12\n"
    )
  })

  it("raw form: values as they are, nil empty, errors with their own newline, arrays one per line", () => {
    expect(formatRaw("OK")).toBe("OK\n")
    expect(formatRaw(bulk("a\x00\xff\n"))).toBe("a\x00\xff\n\n")
    expect(formatRaw(null)).toBe("\n")
    expect(formatRaw(42)).toBe("42\n")
    expect(formatRaw(replyError("WRONGTYPE x"))).toBe("WRONGTYPE x\n\n")
    expect(formatRaw([])).toBe("\n")
    expect(formatRaw([1, [2, [bulk("a"), null]], bulk("x"), [], replyError("E x"), "ST"])).toBe(
      "1\n2\na\n\nx\n\nE x\n\nST\n"
    )
  })
})

const hasRedisCli = spawnSync("sh", ["-c", "command -v redis-cli"]).status === 0

describe.runIf(hasRealRedis && hasRedisCli)("formats match the real redis-cli", () => {
  let redis: RunningServer
  beforeAll(async () => {
    redis = await startRealRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  const ALL_BYTES = "string.char(" + Array.from({ length: 256 }, (_, i) => i).join(",") + ")"
  const scripts = [
    "return {1,{2,{'a',false}},'x',{},redis.error_reply('E x'),redis.status_reply('ST')}",
    "local t={} for i=1,12 do t[i]=i end t[3]={'a',{'b','c'}} t[11]={'p','q'} return t",
    "local t={} for i=1,105 do t[i]={i,{tostring(i)}} end return t",
    `return {${ALL_BYTES}, 'caf\\195\\169', '', false}`,
    "return redis.status_reply('')",
    "return redis.error_reply('MYERR with \\1 byte')",
    "return 'x y'",
    "return -9223372036854775807",
    "return {}",
    "return {{}, {{}}, false}",
    "return false"
  ]

  it.live("TTY form (--no-raw) and raw form, byte for byte", () =>
    Effect.scoped(Effect.gen(function*() {
      const client = yield* RedisClient.make({ port: redis.port, textEncoding: "latin1" })
      for (const script of scripts) {
        const reply = yield* client.command("EVAL", script, "0").pipe(Effect.catchTag("RedisReplyError", Effect.succeed))
        for (const [flag, format] of [["--no-raw", formatTty], ["--raw", formatRaw]] as const) {
          const real = spawnSync("redis-cli", ["-p", String(redis.port), flag, "EVAL", script, "0"])
          expect(format(reply), `${flag} ${script}`).toBe(real.stdout.toString("latin1"))
        }
      }
    })))
})
