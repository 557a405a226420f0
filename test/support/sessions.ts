/**
 * Case tables for commands that involve several connections (WATCH touched by another client,
 * clients blocked on keys and served by another one's push). A case is a list of actions on
 * numbered connections, each with the exact reply it must get; like caseTables.ts, every table
 * runs against our server and, when `redis-server` is installed, against a real Redis 7 with the
 * same expectations. Keys are prefixed with the case's name.
 *
 * `send` writes a command without reading its reply (a blocking command); `reply` reads the next
 * reply of a connection (`skipReply` reads one without comparing it); `blockedClients(n)` waits until the server reports n blocked clients
 * (INFO clients, from a connection of its own), so "A blocked before B" holds on both servers
 * without sleeping; `closed` expects the server to close the connection, `disconnect` closes it
 * from the client's side. An argument `$<n>` stands for connection n's CLIENT ID.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Expected, targets } from "./caseTables.js"
import { RawClient } from "./RawClient.js"
import { type Reply, showReply } from "./RespReader.js"
import type { RunningServer } from "./servers.js"

export type Action =
  | { readonly kind: "call"; readonly on: number; readonly args: ReadonlyArray<string>; readonly expected: Expected }
  | { readonly kind: "send"; readonly on: number; readonly args: ReadonlyArray<string> }
  | { readonly kind: "reply"; readonly on: number; readonly expected: Expected }
  | { readonly kind: "skip"; readonly on: number }
  | { readonly kind: "blocked"; readonly count: number }
  | { readonly kind: "closed"; readonly on: number }
  | { readonly kind: "disconnect"; readonly on: number }
  | { readonly kind: "sleep"; readonly ms: number }

/** Sends on connection `on` and expects the reply (connection 1 when not given). */
export const call = (on: number, args: ReadonlyArray<string>, expected: Expected): Action => ({ kind: "call", on, args, expected })
export const send = (on: number, ...args: Array<string>): Action => ({ kind: "send", on, args })
export const reply = (on: number, expected: Expected): Action => ({ kind: "reply", on, expected })
/** Reads the next reply of connection `on` without comparing it (HELLO's, whose id differs). */
export const skipReply = (on: number): Action => ({ kind: "skip", on })
export const blockedClients = (count: number): Action => ({ kind: "blocked", count })
export const closed = (on: number): Action => ({ kind: "closed", on })
export const disconnect = (on: number): Action => ({ kind: "disconnect", on })
export const pause = (ms: number): Action => ({ kind: "sleep", ms })

export type SessionCase = readonly [name: string, actions: (key: (name: string) => string) => ReadonlyArray<Action>]

const show = (expected: Expected): string =>
  expected.kind === "unordered"
    ? `unordered [${expected.items.map(showReply).sort().join(", ")}]`
    : showReply(expected)

const showActual = (reply: Reply, expected: Expected): string =>
  expected.kind === "unordered" && reply.kind === "array" && reply.value !== null
    ? `unordered [${reply.value.map(showReply).sort().join(", ")}]`
    : showReply(reply)

const blockedCount = async (control: RawClient): Promise<number> => {
  const info = await control.call("INFO", "clients")
  const match = /blocked_clients:(\d+)/.exec(String(info.value))
  return match === null ? -1 : Number(match[1])
}

/** Runs one case's actions on fresh connections; the expected and actual transcripts. */
export const runSession = async (
  port: number,
  actions: ReadonlyArray<Action>
): Promise<{ expected: Array<string>; actual: Array<string> }> => {
  const clients = new Map<number, RawClient>()
  const ids = new Map<number, string>()
  const control = await RawClient.connect(port)
  const client = async (on: number) => {
    let found = clients.get(on)
    if (found === undefined) {
      clients.set(on, found = await RawClient.connect(port))
      ids.set(on, String((await found.call("CLIENT", "ID")).value))
    }
    return found
  }
  const resolve = async (args: ReadonlyArray<string>) => {
    const resolved: Array<string> = []
    for (const arg of args) {
      const ref = /^\$(\d+)$/.exec(arg)
      if (ref === null) resolved.push(arg)
      else {
        await client(Number(ref[1]))
        resolved.push(ids.get(Number(ref[1]))!)
      }
    }
    return resolved
  }
  const expected: Array<string> = []
  const actual: Array<string> = []
  try {
    for (const action of actions) {
      switch (action.kind) {
        case "call": {
          const c = await client(action.on)
          expected.push(`${action.on}> ${action.args.join(" ")} -> ${show(action.expected)}`)
          const args = await resolve(action.args)
          const got = await c.call(...args).then((r) => showActual(r, action.expected), (e) => `<${e.message}>`)
          actual.push(`${action.on}> ${action.args.join(" ")} -> ${got}`)
          break
        }
        case "send": {
          const c = await client(action.on)
          c.send(...(await resolve(action.args)))
          break
        }
        case "disconnect":
          ;(await client(action.on)).close()
          break
        case "reply": {
          const c = await client(action.on)
          expected.push(`${action.on}< ${show(action.expected)}`)
          const got = await c.read(3000).then((r) => showActual(r, action.expected), (e) => `<${e.message}>`)
          actual.push(`${action.on}< ${got}`)
          break
        }
        case "skip":
          await (await client(action.on)).read(3000)
          break
        case "blocked": {
          expected.push(`blocked_clients:${action.count}`)
          const deadline = Date.now() + 3000
          let count = await blockedCount(control)
          while (count !== action.count && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 5))
            count = await blockedCount(control)
          }
          actual.push(`blocked_clients:${count}`)
          break
        }
        case "closed": {
          const c = await client(action.on)
          expected.push(`${action.on} closed`)
          actual.push(await c.waitClosed(3000).then(() => `${action.on} closed`, () => `${action.on} still open`))
          break
        }
        case "sleep":
          await new Promise((resolve) => setTimeout(resolve, action.ms))
          break
      }
    }
  } finally {
    for (const c of clients.values()) c.close()
    control.close()
  }
  return { expected, actual }
}

/** One describe block per target server, one test per case (a FLUSHALL before each). */
export const defineSessionSuites = (family: string, cases: ReadonlyArray<SessionCase>): void => {
  for (const [targetName, start] of targets) {
    describe(`${family} (${targetName})`, () => {
      let running: RunningServer | undefined
      beforeAll(async () => {
        running = await start()
      })
      afterAll(() => running?.stop())
      for (const [caseName, actions] of cases) {
        it(caseName, async () => {
          const admin = await RawClient.connect(running!.port)
          await admin.call("FLUSHALL")
          admin.close()
          const { expected, actual } = await runSession(running!.port, actions((name) => `${caseName}:${name}`))
          expect(actual).toEqual(expected)
        })
      }
    })
  }
}
