/**
 * The differential harness's own checks: a lenient comparison that let real differences through
 * would make the whole suite silently pass, so each check is pinned here on its edge cases.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Reply } from "../support/RespReader.js"
import { commandName, describeSample, repliesAgree, showCommand } from "./compare.js"

const int = (value: string): Reply => ({ kind: "integer", value })
const bulk = (value: string | null): Reply => ({ kind: "bulk", value })
const array = (...value: Array<Reply>): Reply => ({ kind: "array", value })
const simple = (value: string): Reply => ({ kind: "simple", value })
const error = (value: string): Reply => ({ kind: "error", value })

describe("repliesAgree", () => {
  it("exact keeps reply kinds apart", () => {
    expect(repliesAgree("exact", simple("OK"), simple("OK"))).toBe(true)
    expect(repliesAgree("exact", simple("OK"), bulk("OK"))).toBe(false)
    expect(repliesAgree("exact", bulk(""), bulk(null))).toBe(false)
    expect(repliesAgree("exact", int("1"), bulk("1"))).toBe(false)
    expect(repliesAgree("exact", array(), { kind: "array", value: null })).toBe(false)
  })

  it("seconds and millis allow clock drift but not a different meaning", () => {
    expect(repliesAgree("seconds", int("100"), int("99"))).toBe(true)
    expect(repliesAgree("seconds", int("100"), int("98"))).toBe(false)
    expect(repliesAgree("seconds", int("0"), int("-1"))).toBe(false)
    expect(repliesAgree("seconds", int("-2"), int("-1"))).toBe(false)
    expect(repliesAgree("millis", int("99990"), int("100040"))).toBe(true)
    expect(repliesAgree("millis", int("99990"), int("100041"))).toBe(false)
    expect(repliesAgree("millis", int("9223370300000000000"), int("9223370300000000049"))).toBe(true)
    expect(repliesAgree("millis", int("9223370300000000000"), int("9223370300000002048"))).toBe(false)
    expect(repliesAgree("seconds", bulk("100"), int("100"))).toBe(false)
    expect(repliesAgree("seconds", error("ERR x"), error("ERR x"))).toBe(true)
  })

  it("unordered and pairs ignore order only", () => {
    expect(repliesAgree("unordered", array(bulk("a"), bulk("b")), array(bulk("b"), bulk("a")))).toBe(true)
    expect(repliesAgree("unordered", array(bulk("a"), bulk("a")), array(bulk("a")))).toBe(false)
    expect(repliesAgree("unordered", array(simple("a")), array(bulk("a")))).toBe(false)
    const config = array(bulk("timeout"), bulk("0"), bulk("databases"), bulk("16"))
    expect(repliesAgree("pairs", config, array(bulk("databases"), bulk("16"), bulk("timeout"), bulk("0")))).toBe(true)
    expect(repliesAgree("pairs", config, array(bulk("databases"), bulk("0"), bulk("timeout"), bulk("16")))).toBe(false)
  })

  it("hello ignores only the value of id", () => {
    const hello = (id: string, version = "7.0.15") =>
      array(bulk("server"), bulk("redis"), bulk("version"), bulk(version), bulk("id"), int(id))
    expect(repliesAgree("hello", hello("3"), hello("12"))).toBe(true)
    expect(repliesAgree("hello", hello("3", "7.2.0"), hello("3"))).toBe(false)
  })

  it("kind and time check shape", () => {
    expect(repliesAgree("kind", int("5"), int("9"))).toBe(true)
    expect(repliesAgree("kind", bulk("a"), bulk(null))).toBe(false)
    expect(repliesAgree("kind", error("ERR a"), error("ERR b"))).toBe(false)
    expect(repliesAgree("time", array(bulk("1700000000"), bulk("12")), array(bulk("1700000001"), bulk("999999")))).toBe(true)
    expect(repliesAgree("time", array(int("1700000000"), bulk("12")), array(bulk("1"), bulk("2")))).toBe(false)
  })

  it("pubsub ignores the order of pushes and channel lists, not their contents or the counts' order", () => {
    const push = (kind: string, name: string, count: string) => array(bulk(kind), bulk(name), int(count))
    const ours = array(push("unsubscribe", "a", "2"), push("unsubscribe", "b", "1"))
    expect(repliesAgree("pubsub", ours, array(push("unsubscribe", "b", "2"), push("unsubscribe", "a", "1")))).toBe(true)
    expect(repliesAgree("pubsub", ours, array(push("unsubscribe", "b", "1"), push("unsubscribe", "a", "2")))).toBe(false)
    expect(repliesAgree("pubsub", ours, array(push("unsubscribe", "a", "2"), push("unsubscribe", "c", "1")))).toBe(false)
    expect(repliesAgree("pubsub", ours, array(push("unsubscribe", "a", "2")))).toBe(false)
    const channels = (...names: Array<string>) => array(array(...names.map(bulk)))
    expect(repliesAgree("pubsub", channels("x", "y"), channels("y", "x"))).toBe(true)
    expect(repliesAgree("pubsub", channels("x", "y"), channels("y", "y"))).toBe(false)
    const message = (text: string) => array(bulk("pmessage"), bulk("p*"), bulk("pc"), bulk(text))
    expect(repliesAgree("pubsub", array(int("2"), message("1"), message("2")), array(message("2"), int("2"), message("1"))))
      .toBe(true)
    expect(repliesAgree("pubsub", array(int("2"), message("1")), array(int("2"), message("2")))).toBe(false)
  })
})

describe("RESP3 replies and EXEC", () => {
  const map = (...value: Array<Reply>): Reply => ({ kind: "map", value })
  const set = (...value: Array<Reply>): Reply => ({ kind: "set", value })
  const double = (value: string): Reply => ({ kind: "double", value })

  it("keeps RESP3 kinds apart from their RESP2 spellings", () => {
    expect(repliesAgree("exact", map(bulk("a"), bulk("1")), array(bulk("a"), bulk("1")))).toBe(false)
    expect(repliesAgree("exact", set(bulk("a")), array(bulk("a")))).toBe(false)
    expect(repliesAgree("exact", double("1.5"), bulk("1.5"))).toBe(false)
    expect(repliesAgree("exact", { kind: "null", value: null }, bulk(null))).toBe(false)
    expect(repliesAgree("exact", { kind: "verbatim", value: "txt:x" }, bulk("txt:x"))).toBe(false)
  })

  it("unordered and pairs read sets and maps, but never a map as a set or a set as a map", () => {
    expect(repliesAgree("unordered", set(bulk("a"), bulk("b")), set(bulk("b"), bulk("a")))).toBe(true)
    expect(repliesAgree("unordered", set(bulk("a")), array(bulk("a")))).toBe(false)
    expect(repliesAgree("pairs", map(bulk("x"), bulk("1"), bulk("y"), bulk("2")), map(bulk("y"), bulk("2"), bulk("x"), bulk("1")))).toBe(true)
    expect(repliesAgree("pairs", map(bulk("x"), bulk("1")), map(bulk("x"), bulk("2")))).toBe(false)
    expect(repliesAgree("unordered", map(bulk("x"), bulk("1")), map(bulk("1"), bulk("x")))).toBe(false)
  })

  it("exec compares each element with its own check, and anything that is not an array exactly", () => {
    const checks = ["unordered", "exact"] as const
    const ours = array(array(bulk("a"), bulk("b")), int("1"))
    expect(repliesAgree("exec", ours, array(array(bulk("b"), bulk("a")), int("1")), checks)).toBe(true)
    expect(repliesAgree("exec", ours, array(array(bulk("b"), bulk("a")), int("2")), checks)).toBe(false)
    expect(repliesAgree("exec", ours, array(array(bulk("b"), bulk("a"))), checks)).toBe(false)
    expect(repliesAgree("exec", array(array(bulk("a"), bulk("b"))), array(array(bulk("b"), bulk("a"))))).toBe(false)
    const aborted = error("EXECABORT Transaction discarded because of previous errors.")
    expect(repliesAgree("exec", aborted, aborted, checks)).toBe(true)
    expect(repliesAgree("exec", { kind: "array", value: null }, { kind: "array", value: null }, checks)).toBe(true)
    expect(repliesAgree("exec", { kind: "array", value: null }, array(), checks)).toBe(false)
  })
})

describe("describeSample", () => {
  const hash = array(bulk("a"), bulk("1"), bulk("b"), bulk("2"))
  const shown = (argv: Array<string>, reply: Reply) => describeSample(argv, reply, hash, true)

  it("counts picks and checks them against the population, values included", () => {
    expect(shown(["HRANDFIELD", "h", "2"], array(bulk("b"), bulk("a")))).toEqual(simple("{2 picks, distinct, all from the population}"))
    expect(shown(["HRANDFIELD", "h", "2"], array(bulk("b"), bulk("b")))).toEqual(simple("{2 picks, all from the population}"))
    expect(shown(["HRANDFIELD", "h", "-3"], array(bulk("b"), bulk("b"), bulk("a")))).toEqual(simple("{3 picks, all from the population}"))
    expect(shown(["HRANDFIELD", "h", "1", "withvalues"], array(bulk("a"), bulk("1")))).toEqual(simple("{1 picks, distinct, all from the population}"))
    expect(shown(["HRANDFIELD", "h", "1", "WITHVALUES"], array(bulk("a"), bulk("2")))).toEqual(simple('{1 picks, distinct, not in the population: "a" => "2"}'))
    expect(shown(["HRANDFIELD", "h", "1"], array(bulk("c")))).toEqual(simple('{1 picks, distinct, not in the population: "c"}'))
    expect(shown(["HRANDFIELD", "h"], bulk("a"))).toEqual(simple("{1 pick from the population}"))
    expect(shown(["HRANDFIELD", "h"], bulk("z"))).toEqual(simple('{not in the population: "z"}'))
  })

  it("leaves errors and nils as they are", () => {
    expect(shown(["HRANDFIELD", "h"], bulk(null))).toEqual(bulk(null))
    expect(shown(["HRANDFIELD", "h", "x"], error("ERR x"))).toEqual(error("ERR x"))
    expect(describeSample(["SRANDMEMBER", "s", "2"], array(bulk("m")), array(bulk("m")), false))
      .toEqual(simple("{1 picks, distinct, all from the population}"))
  })
})

describe("report helpers", () => {
  it("shows binary arguments escaped and names subcommands", () => {
    expect(showCommand(["SET", "k", "a b", "\x00\xff"])).toBe('SET k "a b" "\\u0000\\xff"')
    expect(commandName(["client", "setname", "x"])).toBe("CLIENT SETNAME")
    expect(commandName(["object", "\xff"])).toBe("OBJECT \xff")
  })
})
