/**
 * The durability promise of `appendfsync always`, tested the hard way: clients write as fast as
 * they can, the server process is killed with SIGKILL at a random moment, a new one starts on the
 * same files, and every write whose reply a client had received must be there. Several rounds,
 * each killing the server in the middle of a different burst.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RawClient } from "../support/RawClient.js"
import { freePort, waitForPing } from "../support/servers.js"

const SERVER = "dist/redfiber-server.js"
const ROUNDS = 5
const WRITERS = 8
/** Commands each writer keeps in flight. */
const DEPTH = 8

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-crash-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const startServer = async (port: number): Promise<ChildProcess> => {
  const child = spawn(process.execPath, [
    SERVER, "--port", String(port), "--dir", dir, "--appendonly", "yes", "--appendfsync", "always"
  ], { stdio: ["ignore", "ignore", "pipe"] })
  await waitForPing(port, 15_000)
  return child
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

interface Acknowledged {
  /** Keys whose SET was answered, with the value written. */
  readonly sets: Map<string, string>
  /** Per counter key, how many INCRs were answered. */
  readonly increments: Map<string, number>
}

/** One writer: SET and INCR pipelined DEPTH deep until the connection dies; records what was answered. */
const write = async (port: number, prefix: string, acked: Acknowledged): Promise<void> => {
  const client = await RawClient.connect(port)
  const counter = `${prefix}:counter`
  let sent = 0
  const inFlight: Array<readonly [string, string] | undefined> = []
  try {
    for (;;) {
      while (inFlight.length < DEPTH) {
        const n = sent++
        if (n % 2 === 0) {
          const key = `${prefix}:${n}`
          client.send("SET", key, String(n))
          inFlight.push([key, String(n)])
        } else {
          client.send("INCR", counter)
          inFlight.push(undefined)
        }
      }
      const reply = await client.read(10_000)
      const done = inFlight.shift()
      if (reply.kind === "error") throw new Error(`unexpected error reply: ${reply.value}`)
      if (done === undefined) acked.increments.set(counter, (acked.increments.get(counter) ?? 0) + 1)
      else acked.sets.set(done[0], done[1])
    }
  } catch (error) {
    // The kill ends every writer; any other failure is a test failure.
    if (!client.closed) throw error
  } finally {
    client.close()
  }
}

describe("appendfsync always under SIGKILL", () => {
  it(`loses no acknowledged write (${ROUNDS} rounds of ${WRITERS} writers)`, async () => {
    const port = await freePort()
    let checked = 0
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServer(port)
      const acked: Acknowledged = { sets: new Map(), increments: new Map() }
      const writers = Array.from({ length: WRITERS }, (_, w) => write(port, `r${round}w${w}`, acked))
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(Math.random() * 900)))
      await killed(server)
      await Promise.all(writers)
      expect(acked.sets.size).toBeGreaterThan(0)

      const restarted = await startServer(port)
      try {
        const client = await RawClient.connect(port)
        for (const [key, value] of acked.sets) {
          expect({ key, value: (await client.call("GET", key)).value }).toEqual({ key, value })
        }
        for (const [key, count] of acked.increments) {
          // Answered increments are all there; one that ran but whose reply was lost may be too.
          expect(Number((await client.call("GET", key)).value)).toBeGreaterThanOrEqual(count)
        }
        checked += acked.sets.size
        for (const count of acked.increments.values()) checked += count
        client.close()
      } finally {
        await killed(restarted)
      }
    }
    console.log(`crash test: ${ROUNDS} rounds, ${checked} acknowledged writes checked after SIGKILL, 0 lost`)
  }, 120_000)
})
