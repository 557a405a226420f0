/**
 * AppendOnlyFile as the command log's sink: under `always` each batch gets a token, and waiters
 * are released in order once a sync covers them (many batches share a sync); under `everysec`
 * nothing waits; a rewrite's buffer joins the new file, which replaces the old atomically and
 * takes the appends that follow; close() syncs and releases every waiter.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { AppendOnlyFile } from "../../src/persistence/AppendOnlyFile.js"

const dirs: Array<string> = []
const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-aofw-"))
  dirs.push(dir)
  return path.join(dir, "appendonly.aof")
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

describe("AppendOnlyFile", () => {
  it("always: tokens grow with the bytes; waiters run in order once synced", async () => {
    const file = tempFile()
    const aof = AppendOnlyFile.open(file, "always")
    const order: Array<number> = []
    const done = new Promise<void>((resolve) => {
      for (let i = 0; i < 100; i++) {
        const token = aof.write(Buffer.from(`batch ${i}\n`))
        expect(token).toBeGreaterThan(0)
        aof.whenDurable(token, () => {
          order.push(i)
          if (order.length === 100) resolve()
        })
      }
    })
    // Nothing is released before a sync completes (the syncs run off the main thread).
    expect(order).toEqual([])
    await done
    expect(order).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(aof.unsyncedBytes).toBe(0)
    aof.close()
    expect(fs.readFileSync(file, "utf8").split("\n").length).toBe(101)
  })

  it("everysec and no: nothing to wait for", () => {
    for (const policy of ["everysec", "no"] as const) {
      const aof = AppendOnlyFile.open(tempFile(), policy)
      expect(aof.write(Buffer.from("x"))).toBe(-1)
      aof.close()
    }
  })

  it("a rewrite: the new file gets the buffered appends, replaces the old, and takes what follows", () => {
    const file = tempFile()
    const aof = AppendOnlyFile.open(file, "everysec")
    aof.write(Buffer.from("old-1;"))
    aof.beginRewrite()
    aof.write(Buffer.from("during;"))
    const temp = path.join(path.dirname(file), "temp-rewrite.aof")
    fs.writeFileSync(temp, "snapshot;")
    aof.finishRewrite(temp)
    aof.write(Buffer.from("after;"))
    aof.close()
    expect(fs.readFileSync(file, "utf8")).toBe("snapshot;during;after;")
    expect(fs.existsSync(temp)).toBe(false)
    expect(aof.size).toBe("snapshot;during;after;".length)
  })

  it("close syncs and releases every waiter", async () => {
    const aof = AppendOnlyFile.open(tempFile(), "always")
    let released = false
    aof.whenDurable(aof.write(Buffer.from("last")), () => {
      released = true
    })
    aof.close()
    expect(released).toBe(true)
  })
})
