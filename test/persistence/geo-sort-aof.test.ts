/**
 * The geo commands, SORT ... STORE and the search stores in the append-only file: GEOADD is
 * logged as the ZADD Redis rewrites it into (with the geohash scores, only when it changed
 * something), the stores as sent, and a restart from the file rebuilds the same data.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { readAof } from "../../src/persistence/AofReader.js"
import { datasetOf, runCommands } from "../support/dataset.js"
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

describe("geo and SORT in the AOF", () => {
  it("logs GEOADD as ZADD of geohashes, the stores as sent, and replays to the same data", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-geo-aof-"))
    dirs.push(dir)
    const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    let before: Awaited<ReturnType<typeof datasetOf>>
    try {
      await runCommands(first.port, [
        ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
        ["GEOADD", "g", "NX", "CH", "1", "1", "Palermo"],
        ["GEOADD", "g", "xx", "ch", "13", "38", "Palermo", "2", "2", "absent"],
        ["GEOSEARCHSTORE", "near", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "300", "km", "STOREDIST"],
        ["GEORADIUS", "g", "15", "37", "10", "m", "STORE", "none"],
        ["RPUSH", "l", "3", "1", "2"],
        ["SORT", "l", "DESC", "STORE", "sorted"]
      ])
      expect(aofCommands(dir)).toEqual([
        ["SELECT", "0"],
        ["zadd", "g", "3479099956230698", "Palermo", "3479447370796909", "Catania"],
        ["zadd", "g", "xx", "ch", "3479065152021743", "Palermo", "3378191666521995", "absent"],
        ["GEOSEARCHSTORE", "near", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "300", "km", "STOREDIST"],
        ["RPUSH", "l", "3", "1", "2"],
        ["SORT", "l", "DESC", "STORE", "sorted"]
      ])
      before = await datasetOf(first.port)
    } finally {
      await first.stop()
    }
    const second = await startRedfiber({ dir, appendonly: "yes" })
    try {
      expect(await datasetOf(second.port)).toEqual(before)
      expect(before.map((entry) => entry.key).sort()).toEqual(["g", "l", "near", "sorted"])
    } finally {
      await second.stop()
    }
  })
})
