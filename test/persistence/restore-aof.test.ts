/**
 * RESTORE in the append-only file: a relative TTL is logged as an absolute one with ABSTTL, a
 * REPLACE whose TTL is already past is logged as the DEL it amounts to, and what was restored
 * comes back after a restart with its value and expiry.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { readAof } from "../../src/persistence/AofReader.js"
import { runCommands } from "../support/dataset.js"
import type { Reply } from "../support/RespReader.js"
import { startRedfiber } from "../support/servers.js"

const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const aofCommands = (dir: string): Array<Array<string>> => {
  const commands: Array<Array<string>> = []
  for (const entry of readAof(path.join(dir, "appendonly.aof"))) if (entry.kind === "command") commands.push(entry.argv)
  return commands
}

const plain = (reply: Reply): unknown =>
  Array.isArray(reply.value) ? (reply.value as Array<Reply>).map(plain) : String(reply.value)

describe("RESTORE in the AOF", () => {
  it("logs absolute TTLs and DEL for an expired REPLACE, and replays to the same keys", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-restore-aof-"))
    dirs.push(dir)
    const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    let payload: string
    let expireAt: unknown
    try {
      const [, dumped] = await runCommands(first.port, [["RPUSH", "src", "a", "b", "c"], ["DUMP", "src"]])
      payload = String(dumped.value)
      const replies = await runCommands(first.port, [
        ["RESTORE", "ttl", "100000", payload],
        ["RESTORE", "plain", "0", payload, "IDLETIME", "5"],
        ["RESTORE", "old", "0", payload],
        ["RESTORE", "old", "1", payload, "REPLACE", "ABSTTL"],
        ["RESTORE", "never", "1", payload, "ABSTTL"],
        ["PEXPIRETIME", "ttl"]
      ])
      expect(replies.slice(0, 5).map((r) => r.value)).toEqual(["OK", "OK", "OK", "OK", "OK"])
      expireAt = replies[5].value
      const logged = aofCommands(dir)
      expect(logged.map((argv) => argv[0])).toEqual(["SELECT", "RPUSH", "RESTORE", "RESTORE", "RESTORE", "DEL"])
      expect(logged[2]).toEqual(["RESTORE", "ttl", String(expireAt), payload, "ABSTTL"])
      expect(logged[3]).toEqual(["RESTORE", "plain", "0", payload, "IDLETIME", "5"])
      expect(logged[5]).toEqual(["DEL", "old"])
    } finally {
      await first.stop()
    }
    const second = await startRedfiber({ dir, appendonly: "yes" })
    try {
      const replies = await runCommands(second.port, [
        ["LRANGE", "ttl", "0", "-1"],
        ["PEXPIRETIME", "ttl"],
        ["LRANGE", "plain", "0", "-1"],
        ["EXISTS", "old", "never"]
      ])
      expect(replies.map(plain)).toEqual([["a", "b", "c"], String(expireAt), ["a", "b", "c"], "0"])
    } finally {
      await second.stop()
    }
  })
})
