/**
 * Case tables for a command family: each case is a list of commands with the exact reply each
 * must get. A table runs against our server and, when `redis-server` is installed, against a real
 * Redis 7 with the same expectations, so the tables themselves are checked against the oracle.
 * Keys are prefixed with the case's name (`k("a")`), so cases never see each other's data.
 *
 * An expected reply is a `Reply`, or `unordered(...)` for an array whose order is a hash order
 * (HKEYS of a "hashtable" hash): the actual array is then compared sorted.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RawClient } from "./RawClient.js"
import { type Reply, showReply } from "./RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "./servers.js"

export const ok: Reply = { kind: "simple", value: "OK" }
export const nil: Reply = { kind: "bulk", value: null }
export const nilArray: Reply = { kind: "array", value: null }
export const bulk = (value: string): Reply => ({ kind: "bulk", value })
export const int = (value: number | bigint | string): Reply => ({ kind: "integer", value: String(value) })
export const err = (value: string): Reply => ({ kind: "error", value })
export const simple = (value: string): Reply => ({ kind: "simple", value })
export const arr = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "array", value: items })
export const bulks = (...values: ReadonlyArray<string | null>): Reply =>
  arr(...values.map((value): Reply => ({ kind: "bulk", value })))
export const ints = (...values: ReadonlyArray<number>): Reply => arr(...values.map(int))

export const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")
export const SYNTAX = err("ERR syntax error")
export const NOT_INTEGER = err("ERR value is not an integer or out of range")
export const NOT_FLOAT = err("ERR value is not a valid float")
export const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`)

export interface Unordered {
  readonly kind: "unordered"
  readonly items: ReadonlyArray<Reply>
}
/** An array expected in any order. */
export const unordered = (...items: ReadonlyArray<Reply>): Unordered => ({ kind: "unordered", items })

export type Expected = Reply | Unordered
export type Step = readonly [args: ReadonlyArray<string>, expected: Expected]
export type Case = readonly [name: string, steps: (key: (name: string) => string) => ReadonlyArray<Step>]

const shorten = (args: ReadonlyArray<string>) =>
  JSON.stringify(args.map((arg) => (arg.length > 40 ? `${arg.slice(0, 40)}…(${arg.length})` : arg)))

const sortedItems = (items: ReadonlyArray<Reply>) => items.map(showReply).sort().join(", ")

/** One transcript line: the command and its reply (an unordered one shown sorted). */
const line = (args: ReadonlyArray<string>, reply: Expected, sortActual: boolean): string => {
  if (reply.kind === "unordered") return `${shorten(args)} -> unordered [${sortedItems(reply.items)}]`
  if (sortActual && reply.kind === "array" && reply.value !== null) {
    return `${shorten(args)} -> unordered [${sortedItems(reply.value)}]`
  }
  return `${shorten(args)} -> ${showReply(reply).slice(0, 300)}`
}

/** A running server and one client on it. */
export interface Target {
  readonly client: RawClient
  readonly port: number
}

/** Starts a server before a suite's tests and stops it after them; the getter reads it in tests. */
export const useServer = (start: () => Promise<RunningServer>): (() => Target) => {
  let running: RunningServer | undefined
  let target: Target | undefined
  beforeAll(async () => {
    running = await start()
    target = { client: await RawClient.connect(running.port), port: running.port }
  })
  afterAll(async () => {
    target?.client.close()
    await running?.stop()
  })
  return () => target!
}

/** Runs the steps of one case on `client`; the expected and actual transcripts. */
export const runSteps = async (
  client: RawClient,
  steps: ReadonlyArray<Step>
): Promise<{ expected: Array<string>; actual: Array<string> }> => {
  const expected: Array<string> = []
  const actual: Array<string> = []
  for (const [args, reply] of steps) {
    expected.push(line(args, reply, false))
    actual.push(line(args, await client.call(...args), reply.kind === "unordered"))
  }
  return { expected, actual }
}

/** The servers every table runs against: ours, and real Redis when installed. */
export const targets: ReadonlyArray<readonly [string, () => Promise<RunningServer>]> = [
  ["redfiber", () => startRedfiber()],
  ...(hasRealRedis ? [["real Redis 7, same expectations", () => startRealRedis()] as const] : [])
]

/** One describe block per target, with one test per case. */
export const defineCaseSuites = (family: string, cases: ReadonlyArray<Case>): void => {
  for (const [targetName, start] of targets) {
    describe(`${family} (${targetName})`, () => {
      const target = useServer(start)
      for (const [caseName, steps] of cases) {
        it(caseName, async () => {
          const { expected, actual } = await runSteps(target().client, steps((name) => `${caseName}:${name}`))
          expect(actual).toEqual(expected)
        })
      }
    })
  }
}
