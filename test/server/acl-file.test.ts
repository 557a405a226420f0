/**
 * ACL SAVE and ACL LOAD with `aclfile`: users written in ACL LIST's format, read back at start and
 * by ACL LOAD; a file with errors changes nothing and says why; clients of users a LOAD replaced
 * are disconnected; without an aclfile both commands refuse with Redis's text.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { type RunningRedfiber, startRedfiber } from "../support/servers.js"

const ok: Reply = { kind: "simple", value: "OK" }

describe("ACL file", () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  const start = async (aclfile: string): Promise<{ server: RunningRedfiber; admin: RawClient }> => {
    const server = await startRedfiber({ aclfile })
    const admin = await RawClient.connect(server.port)
    cleanup.push(() => server.stop(), () => admin.close())
    return { server, admin }
  }

  const tempFile = (content?: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-acl-"))
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, "users.acl")
    if (content !== undefined) fs.writeFileSync(file, content)
    return file
  }

  it("SAVE writes ACL LIST's lines; a new server loads them at start", async () => {
    const file = tempFile("")
    const first = await start(file)
    expect(await first.admin.call("ACL", "SETUSER", "alice", "on", ">pw", "~k*", "&c", "+get", "(~x* +set)")).toEqual(ok)
    expect(await first.admin.call("ACL", "SAVE")).toEqual(ok)
    const list = await first.admin.call("ACL", "LIST")
    const lines = (list.value as ReadonlyArray<Reply>).map((line) => line.value)
    expect(fs.readFileSync(file, "latin1")).toBe(lines.map((line) => `${line}\n`).join(""))
    expect(fs.readFileSync(file, "latin1")).not.toContain(">pw")
    const second = await start(file)
    expect(await second.admin.call("ACL", "LIST")).toEqual(list)
    const alice = await RawClient.connect(second.server.port)
    cleanup.push(() => alice.close())
    expect(await alice.call("AUTH", "alice", "pw")).toEqual(ok)
    expect(await alice.call("GET", "k1")).toEqual({ kind: "bulk", value: null })
  })

  it("LOAD replaces the users, disconnects clients of replaced users, and changes nothing on errors", async () => {
    const file = tempFile("user default on nopass ~* &* +@all\nuser alice on >pw ~* +@all\n")
    const { server, admin } = await start(file)
    const alice = await RawClient.connect(server.port)
    cleanup.push(() => alice.close())
    expect(await alice.call("AUTH", "alice", "pw")).toEqual(ok)
    fs.writeFileSync(file, "user default on nopass ~* &* +@all\nuser bob on nopass +get ~*\n")
    expect(await admin.call("ACL", "LOAD")).toEqual(ok)
    await alice.waitClosed(2000)
    expect(await admin.call("ACL", "USERS")).toEqual({
      kind: "array",
      value: [{ kind: "bulk", value: "bob" }, { kind: "bulk", value: "default" }]
    })
    fs.writeFileSync(file, "user carol on +nosuch\nnot a user line\nuser bob on\nuser bob off\n")
    expect(await admin.call("ACL", "LOAD")).toEqual({
      kind: "error",
      value: `ERR ${file}:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. ` +
        `${file}:2 should start with user keyword ` +
        `followed by the username. WARNING: Duplicate user 'bob' found on line 4. WARNING: ACL errors detected, ` +
        "no change to the previously active ACL rules was performed"
    })
    expect((await admin.call("ACL", "USERS")).value).toHaveLength(2)
  })

  it("a file with errors stops the start; no aclfile: SAVE and LOAD refuse", async () => {
    const file = tempFile("user alice on +nosuch\n")
    await expect(startRedfiber({ aclfile: file })).rejects.toThrow(/ACL errors/)
    const server = await startRedfiber()
    const admin = await RawClient.connect(server.port)
    cleanup.push(() => server.stop(), () => admin.close())
    expect((await admin.call("ACL", "SAVE")).value).toMatch(/^ERR This Redis instance is not configured to use an ACL file/)
    expect((await admin.call("ACL", "LOAD")).value).toMatch(/^ERR This Redis instance is not configured to use an ACL file/)
    expect(await admin.call("CONFIG", "GET", "aclfile")).toEqual({
      kind: "array",
      value: [{ kind: "bulk", value: "aclfile" }, { kind: "bulk", value: "" }]
    })
  })
})
