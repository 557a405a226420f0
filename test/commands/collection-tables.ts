/**
 * Case tables for the collection families (sets, sorted sets), run against our server and, when
 * `redis-server` is installed, against a real Redis 7 with the same expectations — so the tables
 * are checked against the oracle too. Like strings.test.ts, with one addition: an expected
 * reply can be `unordered(...)`, for replies listing a hashtable, whose order is its own.
 * Keys are prefixed with the case's name, so cases never see each other's data.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import { ourReplies } from "../support/resp3.js"
import { type Reply, showReply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

export const ok: Reply = { kind: "simple", value: "OK" }
export const nil: Reply = { kind: "bulk", value: null }
export const nilArray: Reply = { kind: "array", value: null }
export const bulk = (value: string): Reply => ({ kind: "bulk", value })
export const int = (value: number | bigint | string): Reply => ({ kind: "integer", value: String(value) })
export const err = (value: string): Reply => ({ kind: "error", value })
export const arr = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "array", value: items })
/** An array of bulk strings. */
export const bulks = (...items: ReadonlyArray<string>): Reply => arr(...items.map(bulk))

export const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")
export const SYNTAX = err("ERR syntax error")
export const NOT_INTEGER = err("ERR value is not an integer or out of range")
export const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`)

/** An array whose elements may come in any order. */
export interface Unordered {
  readonly kind: "unordered"
  readonly items: ReadonlyArray<string>
}
export const unordered = (...items: ReadonlyArray<string>): Unordered => ({ kind: "unordered", items })

export type Expected = Reply | Unordered
export type Step = readonly [args: ReadonlyArray<string>, expected: Expected]
export type Case = readonly [name: string, steps: (key: (name: string) => string) => ReadonlyArray<Step>]

const sortedText = (items: ReadonlyArray<string>) => `unordered ${JSON.stringify([...items].sort())}`

/** One transcript line; an unordered expectation shows (and the reply is read as) a sorted list. */
const line = (args: ReadonlyArray<string>, reply: Expected, asUnordered: boolean): string => {
  const shownArgs = JSON.stringify(args.map((arg) => (arg.length > 40 ? `${arg.slice(0, 40)}…(${arg.length})` : arg)))
  if (reply.kind === "unordered") return `${shownArgs} -> ${sortedText(reply.items)}`
  if (asUnordered && reply.kind === "array" && reply.value !== null && reply.value.every((item) => item.kind === "bulk")) {
    return `${shownArgs} -> ${sortedText(reply.value.map((item) => String(item.value)))}`
  }
  return `${shownArgs} -> ${showReply(reply).slice(0, 300)}`
}

export interface Target {
  readonly client: RawClient
  stop(): Promise<void>
}

export const startOurs = async (): Promise<Target> => {
  const running = await startRedfiber()
  const client = await RawClient.connect(running.port)
  return {
    client,
    stop: async () => {
      client.close()
      await running.stop()
    }
  }
}

export const startReal = async (): Promise<Target> => {
  const running: RunningServer = await startRealRedis()
  const client = await RawClient.connect(running.port)
  return {
    client,
    stop: async () => {
      client.close()
      await running.stop()
    }
  }
}

/** Starts a target before a suite's tests and stops it after them; the getter reads it in tests. */
export const useTarget = (start: () => Promise<Target>): (() => Target) => {
  let target: Target | undefined
  beforeAll(async () => {
    target = await start()
  })
  afterAll(async () => {
    await target?.stop()
  })
  return () => target!
}

/** Runs every case of `cases` as a test, on our server and (when installed) on real Redis. */
export const defineCaseSuites = (family: string, cases: ReadonlyArray<Case>): void => {
  const suite = (name: string, start: () => Promise<Target>) =>
    describe(name, () => {
      const target = useTarget(start)
      for (const [caseName, steps] of cases) {
        it(caseName, async () => {
          const key = (keyName: string) => `${caseName}:${keyName}`
          const expected: Array<string> = []
          const actual: Array<string> = []
          for (const [args, reply] of steps(key)) {
            expected.push(line(args, reply, false))
            actual.push(line(args, await target().client.call(...args), reply.kind === "unordered"))
          }
          expect(actual).toEqual(expected)
        })
      }
    })
  suite(`${family} (redfiber)`, startOurs)
  if (hasRealRedis) suite(`${family} (real Redis 7, same expectations)`, startReal)
}

/** Runs `body` against our server and, when installed, real Redis (for property-style checks). */
export const onBothServers = (name: string, body: (client: RawClient) => Promise<void>): void => {
  it(`${name} (redfiber)`, async () => {
    const target = await startOurs()
    try {
      await body(target.client)
    } finally {
      await target.stop()
    }
  })
  it.skipIf(!hasRealRedis)(`${name} (real Redis 7)`, async () => {
    const target = await startReal()
    try {
      await body(target.client)
    } finally {
      await target.stop()
    }
  })
}

/** The bulk strings of an array reply (throws on anything else: a test should see that). */
export const texts = (reply: Reply): Array<string> => {
  if (reply.kind !== "array" || reply.value === null) throw new Error(`not an array: ${showReply(reply)}`)
  return reply.value.map((item) => {
    if (item.kind !== "bulk" || item.value === null) throw new Error(`not a bulk string: ${showReply(item)}`)
    return item.value
  })
}

/** The declarations check (COMMAND INFO / DOCS of Redis 7), shared with the other families. */
export { describeDeclarations } from "../support/declarations.js"

const keyspaceCounters = async (client: RawClient): Promise<[number, number]> => {
  const info = String((await client.call("INFO", "stats")).value)
  const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)![1])
  return [field("keyspace_hits"), field("keyspace_misses")]
}

/**
 * Each command changes INFO's keyspace_hits / keyspace_misses as it does in Redis (lookups for
 * reading count, lookups for writing do not): run on both servers after `setup`, deltas compared.
 */
export const describeKeyspaceStats = (
  family: string,
  setup: ReadonlyArray<ReadonlyArray<string>>,
  commands: ReadonlyArray<ReadonlyArray<string>>
): void => {
  describe.skipIf(!hasRealRedis)(`${family}: keyspace hits and misses`, () => {
    it("move like Redis's for every command", async () => {
      const targets = await Promise.all([startOurs(), startReal()])
      try {
        const transcripts = await Promise.all(targets.map(async ({ client }) => {
          for (const args of setup) await client.call(...args)
          const lines: Array<string> = []
          for (const args of commands) {
            const [hits, misses] = await keyspaceCounters(client)
            await client.call(...args)
            const [hitsAfter, missesAfter] = await keyspaceCounters(client)
            lines.push(`${args.join(" ")}: +${hitsAfter - hits} hits, +${missesAfter - misses} misses`)
          }
          return lines
        }))
        expect(transcripts[0]).toEqual(transcripts[1])
      } finally {
        await Promise.all(targets.map((target) => target.stop()))
      }
    })
  })
}

/**
 * Runs commands in-process on a fresh keyspace with the reply writer in protocol `protocol`
 * (RESP3 is not switchable over a connection yet; the typed replies already speak it) and
 * returns every reply's bytes, one string per command.
 */
export const runDirect = (protocol: number, ...argvs: ReadonlyArray<ReadonlyArray<string>>): Array<string> =>
  ourReplies(protocol, argvs)
