/**
 * redfiber-check-aof as a process: a valid file passes; a cut-off tail or damage in the middle
 * is reported with the offset where the valid part ends, left alone without --fix, and truncated
 * there with --fix (after which the server loads it).
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { runCommands } from "../support/dataset.js"
import { startRedfiber } from "../support/servers.js"

const TOOL = "dist/redfiber-check-aof.js"
const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const commandBytes = (...argv: Array<string>) => `*${argv.length}\r\n` + argv.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("")

const aofWith = (content: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-check-"))
  dirs.push(dir)
  const file = path.join(dir, "appendonly.aof")
  fs.writeFileSync(file, content, "latin1")
  return { dir, file }
}

const check = (...args: Array<string>) => {
  const result = spawnSync(process.execPath, [TOOL, ...args], { encoding: "utf8" })
  return { code: result.status, out: result.stdout + result.stderr }
}

const GOOD = commandBytes("SELECT", "0") + commandBytes("SET", "a", "1") + commandBytes("RPUSH", "l", "x", "y")

describe("redfiber-check-aof", () => {
  it("a valid file: exit 0, nothing changed", () => {
    const { file } = aofWith(GOOD)
    const { code, out } = check(file)
    expect(code).toBe(0)
    expect(out).toContain(`ok_up_to=${GOOD.length}, diff=0`)
    expect(out).toContain("is valid (3 commands)")
    expect(fs.readFileSync(file, "latin1")).toBe(GOOD)
  })

  it("a cut-off tail: reported, left alone, then truncated by --fix, and the server loads the rest", async () => {
    const tail = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$4\r\nva"
    const { dir, file } = aofWith(GOOD + tail)
    const report = check(file)
    expect(report.code).toBe(1)
    expect(report.out).toContain(`ok_up_to=${GOOD.length}, diff=${tail.length}`)
    expect(fs.statSync(file).size).toBe(GOOD.length + tail.length)
    const fixed = check("--fix", file)
    expect(fixed.code).toBe(0)
    expect(fixed.out).toContain(`dropped ${tail.length} bytes, kept 3 commands`)
    expect(fs.readFileSync(file, "latin1")).toBe(GOOD)
    const server = await startRedfiber({ dir, appendonly: "yes" })
    try {
      expect((await runCommands(server.port, [["LRANGE", "l", "0", "-1"]]))[0].value?.length).toBe(2)
    } finally {
      await server.stop()
    }
  })

  it("damage in the middle: the file is cut before it (--repair), dropping what follows", () => {
    const after = commandBytes("SET", "lost", "1")
    const { file } = aofWith(GOOD + "$5\r\nhello\r\n" + after)
    const report = check(file)
    expect(report.code).toBe(1)
    expect(report.out).toContain(`bad format at offset ${GOOD.length}`)
    const fixed = check("--repair", file)
    expect(fixed.code).toBe(0)
    expect(fs.readFileSync(file, "latin1")).toBe(GOOD)
  })

  it("usage errors exit 2", () => {
    expect(check().code).toBe(2)
    expect(check("--frobnicate", "x").code).toBe(2)
    expect(check("/nonexistent/appendonly.aof").code).toBe(2)
  })
})
