/**
 * Glob matching as Redis's `stringmatchlen` does it, corner cases included. The case table was
 * checked against Redis 7.0.15 and is checked again against the installed redis-server (through
 * KEYS) when there is one, as is a property over random keys and patterns built from the
 * characters that mean something to a glob.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { globMatch, stringMatch } from "../../src/keyspace/glob.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis } from "../support/servers.js"

/** [pattern, subject, whether KEYS pattern lists the key subject]. */
const cases: ReadonlyArray<readonly [string, string, boolean]> = [
  // *
  ["*", "abc", true], ["a*", "abc", true], ["*c", "abc", true], ["a*c", "ac", true], ["a*c", "ab", false],
  ["*b*", "abc", true], ["a**c", "abc", true], ["*a*b", "xaxb", true], ["*a*b", "xbxa", false],
  // ?
  ["?", "a", true], ["??", "a", false], ["a?c", "abc", true], ["?", "\xff", true], ["?*", "a", true],
  // classes
  ["[abc]", "b", true], ["[abc]", "d", false], ["[abc]", "ab", false], ["x[abc]y", "xcy", true],
  ["[^a]", "b", true], ["[^a]", "a", false], ["[^abc]", "d", true], ["[^abc]", "c", false],
  ["[a-z]", "m", true], ["[a-z]", "A", false], ["[a-z]", "z", true],
  ["[z-a]", "m", true], ["[z-a]", "A", false], ["[^z-a]", "A", true],
  ["[\\]]", "]", true], ["[\\^a]", "^", true], ["[a\\-z]", "-", true], ["[a\\-z]", "m", false],
  // `-` before `]` makes a range that swallows the `]`: [a-] is `]`..`a` and runs on
  ["[a-]", "_", true], ["[a-]", "b", false], ["[a-]x", "x", true], ["[a-]x", "_x", false],
  // range bounds are signed chars: \x80-\xff sort below \x00
  ["[a-\xff]", "0", true], ["[a-\xff]", "b", false], ["[a-\xff]", "\xff", true],
  ["[\x80-\xc0]", "\xa0", true], ["[\x80-\xc0]", "a", false], ["[\x00-\x7f]", "\x80", false],
  // escapes
  ["\\*", "*", true], ["\\*", "a", false], ["\\?", "?", true], ["\\?", "a", false], ["\\[", "[", true],
  ["\\[a]", "[a]", true], ["\\a", "a", true], ["\\\\", "\\", true],
  // a trailing backslash is itself
  ["a\\", "a\\", true], ["\\", "\\", true], ["\\", "a", false],
  // unterminated classes run to the end of the pattern
  ["[abc", "a", true], ["[abc", "d", false], ["[abc", "ab", false], ["[", "[", false], ["[^", "a", true],
  ["a[", "a[", false],
  // the empty subject: only the empty pattern and KEYS's lone `*` match it
  ["*", "", true], ["", "", true], ["**", "", false], ["?", "", false], ["[a]", "", false], ["[^a]", "", false],
  ["\\", "", false], ["[", "", false], ["", "a", false],
  // hostile patterns end quickly; past 1000 nested stars Redis gives up (no match)
  ["a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(80), false],
  ["*a".repeat(999), "a".repeat(1100), true],
  ["*a".repeat(1100), "a".repeat(1100), false]
]

describe("globMatch", () => {
  for (const [pattern, subject, expected] of cases) {
    const shown = (text: string) => JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text)
    it(`${shown(pattern)} ${expected ? "matches" : "does not match"} ${shown(subject)}`, () => {
      expect(globMatch(pattern, subject)).toBe(expected)
    })
  }

  it("stringMatch is Redis's matcher without KEYS's lone-`*` rule", () => {
    expect(stringMatch("*", "")).toBe(false)
    expect(stringMatch("*", "a")).toBe(true)
    expect(globMatch("*", "")).toBe(true)
  })

  it("patterns of letters, * and ? agree with the equivalent regular expression", () => {
    const subject = fc.string({ unit: fc.constantFrom("a", "b"), minLength: 1, maxLength: 8 })
    const pattern = fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 8 })
    fc.assert(
      fc.property(pattern, subject, (glob, text) => {
        const regex = new RegExp(`^${glob.replaceAll("*", ".*").replaceAll("?", ".")}$`, "s")
        expect(globMatch(glob, text)).toBe(regex.test(text))
      }),
      { numRuns: 2000 }
    )
  })
})

const isArray = (reply: Reply): reply is { kind: "array"; value: ReadonlyArray<Reply> } =>
  reply.kind === "array" && reply.value !== null

describe.skipIf(!hasRealRedis)("globMatch against real Redis KEYS", () => {
  let redis: RunningServer
  let client: RawClient
  beforeAll(async () => {
    redis = await startRealRedis()
    client = await RawClient.connect(redis.port)
  })
  afterAll(async () => {
    client?.close()
    await redis?.stop()
  })

  /** The keys real Redis lists for each pattern, sorted, with only `keys` stored. */
  const keysFromRedis = async (keys: ReadonlyArray<string>, patterns: ReadonlyArray<string>) => {
    client.send("FLUSHALL")
    for (const key of keys) client.send("SET", key, "v")
    for (const pattern of patterns) client.send("KEYS", pattern)
    for (let i = 0; i < 1 + keys.length; i++) await client.read()
    const lists: Array<Array<string>> = []
    for (const _ of patterns) {
      const reply = await client.read()
      if (!isArray(reply)) throw new Error(`KEYS gave ${reply.kind}`)
      lists.push(reply.value.map((item) => String(item.value)).sort())
    }
    return lists
  }
  const keysFromGlob = (keys: ReadonlyArray<string>, patterns: ReadonlyArray<string>) =>
    patterns.map((pattern) => keys.filter((key) => globMatch(pattern, key)).sort())

  it("the case table is Redis's", async () => {
    for (const [pattern, subject, expected] of cases) {
      const [listed] = await keysFromRedis([subject], [pattern])
      expect({ pattern, subject, matched: listed.length === 1 }).toEqual({ pattern, subject, matched: expected })
    }
  })

  it("random patterns over a b * ? [ ] ^ - \\ select the same keys", async () => {
    const unit = fc.constantFrom("a", "b", "*", "?", "[", "]", "^", "-", "\\", "\x80", "\xff")
    const keys = fc.uniqueArray(fc.string({ unit, maxLength: 4 }), { minLength: 1, maxLength: 8 })
    const patterns = fc.array(fc.string({ unit, maxLength: 7 }), { minLength: 1, maxLength: 6 })
    await fc.assert(
      fc.asyncProperty(keys, patterns, async (keyList, patternList) => {
        expect(keysFromGlob(keyList, patternList)).toEqual(await keysFromRedis(keyList, patternList))
      }),
      { numRuns: 400 }
    )
  })
})
