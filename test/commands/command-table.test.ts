/**
 * The whole command table against Redis 7.0.15, every command and subcommand at once:
 * - COMMAND INFO of each, exactly (RESP2 replies and RESP3 bytes): arity, flags, legacy key
 *   positions, ACL categories, tips, key specs; a container's subcommands are compared as a set
 *   (Redis lists them in its hash order, which changes from one process to the next) of those we
 *   have (CLIENT, CONFIG and OBJECT have more in Redis), each subcommand checked on its own;
 * - COMMAND DOCS of each (RESP2 replies and RESP3 bytes): summary, since, group, complexity, doc
 *   flags, deprecation notes, history and the subcommands we have (Redis also sends argument
 *   trees, which we do not keep);
 * - COMMAND COUNT, bare COMMAND, COMMAND LIST and its ACLCAT / PATTERN filters;
 * - COMMAND GETKEYS and GETKEYSANDFLAGS of every command with 0 to 6 arguments, and of the
 *   commands with movable keys with every kind of numkeys Redis reads its own way.
 *
 * The one command Redis 7.0 does not know is listed in EXTRA, with the reason, and checked to be
 * unknown to it (so the list cannot go stale).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { CommandSpec } from "../../src/commands/Command.js"
import { allCommands } from "../../src/commands/table.js"
import { RawClient } from "../support/RawClient.js"
import { ourResp3Replies, redisResp3Replies, valueEnd } from "../support/resp3.js"
import { type Reply, showReply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** Commands we have that Redis 7.0.15 does not, and why. */
const EXTRA: Readonly<Record<string, string>> = {
  "client|setinfo": "Redis 7.2's; node-redis sends it when it connects"
}

/** Every command of the table, each container followed by its subcommands. */
const everySpec: ReadonlyArray<CommandSpec> = allCommands.flatMap((spec) => [spec, ...(spec.subcommands ?? [])])
const known = everySpec.filter((spec) => EXTRA[spec.name] === undefined)
const knownNames = new Set(known.map((spec) => spec.name))

const items = (reply: Reply): ReadonlyArray<Reply> => {
  if (reply.kind !== "array" || reply.value === null) throw new Error(`not an array: ${showReply(reply)}`)
  return reply.value
}
const texts = (reply: Reply): Array<string> => items(reply).map((item) => String(item.value))

/** Sends every command at once and reads the replies in order (one round trip for thousands). */
const pipeline = async (client: RawClient, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<Reply>> => {
  for (const command of commands) client.send(...command)
  const replies: Array<Reply> = []
  for (let i = 0; i < commands.length; i++) replies.push(await client.read(20_000))
  return replies
}

/**
 * A COMMAND INFO entry with its subcommands as the sorted names of those we have (Redis lists them
 * in its hash order).
 */
const withSubcommandNames = (entry: Reply): string => {
  const fields = items(entry)
  const subcommands = fields[9]
  const names = subcommands.kind === "array" && subcommands.value !== null
    ? subcommands.value.map((sub) => String(items(sub)[0].value)).filter((name) => knownNames.has(name)).sort()
    : []
  return `${fields.slice(0, 9).map(showReply).join(" ")} subcommands: ${names.join(" ")}`
}

/** A COMMAND DOCS map as field -> value text, subcommands as the sorted names of those we have. */
const docFields = (docs: Reply): Map<string, string> => {
  const flat = items(docs)
  const fields = new Map<string, string>()
  for (let i = 0; i < flat.length; i += 2) {
    const name = String(flat[i].value)
    const value = flat[i + 1]
    if (name === "subcommands") {
      const names = items(value).filter((_, j) => j % 2 === 0).map((item) => String(item.value))
      fields.set(name, names.filter((sub) => knownNames.has(sub)).sort().join(" "))
    } else {
      fields.set(name, showReply(value))
    }
  }
  return fields
}

/** COMMAND DOCS fields of Redis's that the table does not keep. */
const NOT_KEPT_DOCS = new Set(["arguments"])

/**
 * RESP3 bytes of a one-command COMMAND DOCS reply (`%1 name %n field value ...`) without the
 * fields of NOT_KEPT_DOCS, the map's count lowered to match.
 */
const withoutArguments = (bytes: string): string => {
  const nameEnd = valueEnd(bytes, 4)
  if (!bytes.startsWith("%1\r\n") || nameEnd === undefined) throw new Error(`not one DOCS entry: ${bytes}`)
  const countEnd = bytes.indexOf("\r\n", nameEnd)
  const count = Number(bytes.slice(nameEnd + 1, countEnd))
  let at = countEnd + 2
  let kept = ""
  let keptCount = 0
  for (let i = 0; i < count; i++) {
    const fieldEnd = valueEnd(bytes, at)
    const end = fieldEnd === undefined ? undefined : valueEnd(bytes, fieldEnd)
    if (fieldEnd === undefined || end === undefined) throw new Error(`truncated DOCS entry: ${bytes}`)
    const field = bytes.slice(at, fieldEnd).split("\r\n")[1]
    if (!NOT_KEPT_DOCS.has(field)) {
      kept += bytes.slice(at, end)
      keptCount++
    }
    at = end
  }
  return `${bytes.slice(0, nameEnd)}%${keptCount}\r\n${kept}`
}

/** Argument texts Redis reads as a count in its own ways (string2ll, then C's atoi). */
const COUNTS = [
  "0", "1", "2", "3", "-1", "01", " 2", "2x", "+1", "", "4294967297", "2147483648", "-4294967295",
  "99999999999999999999"
]

/** Command lines for GETKEYS: `name` with 0..6 arguments, and counts at the first two places. */
const keyProbes = (spec: CommandSpec, withCounts: boolean): Array<Array<string>> => {
  const name = spec.name.split("|")
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`)
  const probes: Array<Array<string>> = []
  for (let n = 0; n <= 6; n++) probes.push([...name, ...keys(n)])
  if (!withCounts) return probes
  for (const count of COUNTS) {
    for (let n = 1; n <= 4; n++) {
      const first = keys(n)
      first.splice(0, 0, count)
      const second = keys(n)
      second.splice(1, 0, count)
      probes.push([...name, ...first], [...name, ...second])
    }
  }
  return probes
}

describe.skipIf(!hasRealRedis)("the whole command table against Redis 7.0.15", () => {
  let real: RunningServer
  let ours: RunningServer
  let theirs: RawClient
  let mine: RawClient
  beforeAll(async () => {
    ;[real, ours] = await Promise.all([startRealRedis(), startRedfiber()])
    ;[theirs, mine] = await Promise.all([RawClient.connect(real.port), RawClient.connect(ours.port)])
  })
  afterAll(async () => {
    theirs.close()
    mine.close()
    await Promise.all([real.stop(), ours.stop()])
  })

  it("Redis 7.0 knows every command we have but the listed extras", async () => {
    const infos = await pipeline(theirs, everySpec.map((spec) => ["COMMAND", "INFO", spec.name]))
    const unknown = everySpec.filter((_, i) => items(infos[i])[0].kind === "bulk").map((spec) => spec.name)
    expect(unknown).toEqual(Object.keys(EXTRA))
  })

  it("COMMAND INFO: every command and subcommand as Redis describes it (RESP2)", async () => {
    const commands = known.map((spec) => ["COMMAND", "INFO", spec.name])
    const [expected, actual] = await Promise.all([pipeline(theirs, commands), pipeline(mine, commands)])
    const show = (replies: ReadonlyArray<Reply>) =>
      replies.map((reply, i) => `${known[i].name}: ${withSubcommandNames(items(reply)[0])}`)
    expect(show(actual)).toEqual(show(expected))
  })

  it("COMMAND INFO: the same bytes as Redis in RESP3 (sets and maps where Redis sends them)", async () => {
    // Containers are left out: their subcommands come in Redis's hash order.
    const leaves = known.filter((spec) => spec.subcommands === undefined)
    const commands = leaves.map((spec) => ["COMMAND", "INFO", spec.name])
    const expected = await redisResp3Replies(real.port, commands)
    const actual = ourResp3Replies(commands)
    expect(actual.map((bytes, i) => `${leaves[i].name}: ${bytes}`)).toEqual(
      expected.map((bytes, i) => `${leaves[i].name}: ${bytes}`)
    )
  })

  it("COMMAND DOCS: every field but argument trees, of every command (RESP2)", async () => {
    const commands = known.map((spec) => ["COMMAND", "DOCS", spec.name])
    const [expected, actual] = await Promise.all([pipeline(theirs, commands), pipeline(mine, commands)])
    const lines = (replies: ReadonlyArray<Reply>) =>
      replies.map((reply) => {
        const [name, docs] = items(reply)
        const fields = docFields(docs)
        const kept = [...fields.keys()].filter((field) => !NOT_KEPT_DOCS.has(field))
        return `${String(name.value)}: ${kept.map((field) => `${field}=${fields.get(field)}`).join(" | ")}`
      })
    const shown = lines(expected)
    expect(lines(actual)).toEqual(shown)
    // The sweep covers both kinds of doc flags and the deprecation notes.
    expect(shown.join("\n")).toContain('georadius: summary=')
    expect(shown.join("\n")).toContain('doc_flags=[+deprecated] | deprecated_since="6.2.0" | replaced_by="`GEOSEARCH`')
    expect(shown.join("\n")).toContain('doc_flags=[+syscmd]')
    expect(shown.join("\n")).toContain('history=[["6.2.0", "Added the `ANY` option for `COUNT`."], ["7.0.0"')
  })

  it("COMMAND DOCS: the same bytes as Redis in RESP3, argument trees left out", async () => {
    // Containers are left out: their subcommands come in Redis's hash order (each is asked alone).
    const leaves = known.filter((spec) => spec.subcommands === undefined)
    const commands = leaves.map((spec) => ["COMMAND", "DOCS", spec.name])
    const expected = (await redisResp3Replies(real.port, commands)).map(withoutArguments)
    const actual = ourResp3Replies(commands)
    expect(actual.map((bytes, i) => `${leaves[i].name}: ${bytes}`)).toEqual(
      expected.map((bytes, i) => `${leaves[i].name}: ${bytes}`)
    )
  })

  it("COMMAND COUNT, bare COMMAND and COMMAND LIST (with its filters) agree with the table and with Redis", async () => {
    const count = await mine.call("COMMAND", "COUNT")
    expect(count).toEqual({ kind: "integer", value: String(allCommands.length) })
    expect(items(await mine.call("COMMAND")).map((entry) => String(items(entry)[0].value)).sort())
      .toEqual(allCommands.map((spec) => spec.name).sort())
    expect(texts(await mine.call("COMMAND", "LIST")).sort()).toEqual(everySpec.map((spec) => spec.name).sort())
    const categories = texts(await theirs.call("ACL", "CAT"))
    expect(categories.length).toBeGreaterThan(20)
    const filters = [
      ...categories.map((category) => ["ACLCAT", category]),
      ["ACLCAT", "@read"],
      ["ACLCAT", "SortedSet"],
      ...["z*", "*|*", "client|*", "?et", "*[ab]*", "COMMAND*", "nosuch"].map((pattern) => ["PATTERN", pattern])
    ]
    for (const filter of filters) {
      const theirsFiltered = texts(await theirs.call("COMMAND", "LIST", "FILTERBY", ...filter))
      const oursFiltered = texts(await mine.call("COMMAND", "LIST", "FILTERBY", ...filter))
      // Ours lists exactly the commands Redis lists that we have.
      expect([filter.join(" "), oursFiltered.filter((name) => EXTRA[name] === undefined).sort()])
        .toEqual([filter.join(" "), theirsFiltered.filter((name) => knownNames.has(name)).sort()])
    }
  })

  it("COMMAND GETKEYS and GETKEYSANDFLAGS find the keys Redis finds, or fail the same way", async () => {
    const theirInfo = await pipeline(theirs, known.map((spec) => ["COMMAND", "INFO", spec.name]))
    const movable = new Set(
      known.filter((_, i) => texts(items(items(theirInfo[i])[0])[2]).includes("movablekeys")).map((spec) => spec.name)
    )
    expect([...movable]).toEqual(expect.arrayContaining(["lmpop", "zunionstore", "sintercard", "zmpop"]))
    const probes = known.flatMap((spec) => keyProbes(spec, movable.has(spec.name)))
    probes.push(["set", "k", "v", "get"], ["set", "k", "v", "EX", "1", "GeT"], ["set", "k", "v", "get\u0000x"])
    probes.push(["set", "k", "v", "gets"], ["set", "k", "v", "ge"], ["object", "encoding", "k"])
    const commands = probes.flatMap((probe) => [["COMMAND", "GETKEYS", ...probe], ["COMMAND", "GETKEYSANDFLAGS", ...probe]])
    const [expected, actual] = await Promise.all([pipeline(theirs, commands), pipeline(mine, commands)])
    const show = (replies: ReadonlyArray<Reply>) =>
      replies.map((reply, i) => `${JSON.stringify(commands[i].slice(1))} -> ${showReply(reply)}`)
    expect(show(actual)).toEqual(show(expected))
    // The sweep must have found keys in every shape: plain, flagged, after a count, from the fallback.
    const found = show(expected).join("\n")
    for (const sample of ['["GETKEYS","zunionstore","k0","2","k1","k2"] -> ["k0", "k1", "k2"]',
      '["GETKEYS","zunionstore","k0","01","k1"] -> ["k1", "k0"]',
      '["GETKEYSANDFLAGS","set","k","v","get"] -> [["k", [+RW, +access, +update]]]']) {
      expect(found).toContain(sample)
    }
  })
})
