/**
 * LOLWUT's art where Redis draws at random (Schotter's lower rows, the whole skyline): compared
 * with real Redis 7 by shape — the lines, their widths in characters or cells, the characters
 * used, the rows drawn without randomness exactly, and the text under the art exactly. (The
 * deterministic cases are byte-for-byte in the differential script "WAIT, LOLWUT and DEBUG's refusal".)
 */
import { describe, expect, it } from "vitest"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

const art = async (port: number, ...argv: Array<string>): Promise<string> => {
  const client = await RawClient.connect(port)
  try {
    const reply = await client.call("LOLWUT", ...argv)
    if (reply.kind !== "bulk" || reply.value === null) throw new Error(`not a bulk: ${JSON.stringify(reply)}`)
    return Buffer.from(reply.value, "latin1").toString("utf8")
  } finally {
    client.close()
  }
}

/** Schotter: the lines' widths, the first `exactLines` lines, and everything after the art. */
const schotterShape = (text: string, exactLines: number) => {
  const lines = text.split("\n")
  const footer = lines.indexOf("")
  const rows = lines.slice(0, footer)
  return {
    widths: rows.map((row) => [...row].length),
    braille: rows.every((row) => [...row].every((char) => char >= "\u2800" && char <= "\u28ff")),
    top: rows.slice(0, exactLines),
    footer: lines.slice(footer)
  }
}

const CELL = /\x1b\[(0;30;40m|0;90;100m|0;37;47m|0;97;107m) \x1b\[0m/g

/** The skyline: cells per row (all of the four grays), the top row (never built on) exactly, and the text under it. */
const skylineShape = (text: string, rows: number) => {
  const lines = text.split("\n")
  const artRows = lines.slice(0, rows)
  return {
    cells: artRows.map((row) => (row.match(CELL) ?? []).length),
    clean: artRows.every((row) => row.replace(CELL, "") === ""),
    top: artRows[0],
    grays: new Set(artRows.join("").match(CELL)).size > 1,
    footer: lines.slice(rows)
  }
}

describe.skipIf(!hasRealRedis)("LOLWUT against real Redis 7", () => {
  it("draws Schotter (VERSION 5) and the skyline (VERSION 6) in Redis's shapes", async () => {
    const ours = await startRedfiber()
    const redis = await startRealRedis()
    try {
      for (const argv of [["VERSION", "5"], ["VERSION", "5", "40", "6", "9"], ["VERSION", "5", "120", "20", "5"]]) {
        const mine = schotterShape(await art(ours.port, ...argv), 5)
        expect(mine).toEqual(schotterShape(await art(redis.port, ...argv), 5))
        expect(mine.braille).toBe(true)
      }
      const defaults = schotterShape(await art(ours.port, "VERSION", "5"), 5)
      expect(defaults.widths).toEqual(Array(49).fill(66))
      expect(defaults.footer).toEqual(["", "Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15", ""])
      for (const [argv, rows] of [[["VERSION", "6"], 20], [["VERSION", "6", "150", "45"], 45], [["VERSION", "6", "7", "3"], 3]] as const) {
        const mine = skylineShape(await art(ours.port, ...argv), rows)
        const theirs = skylineShape(await art(redis.port, ...argv), rows)
        expect({ ...mine, grays: true }).toEqual({ ...theirs, grays: true })
        expect(mine.clean).toBe(true)
      }
      // Buildings in more than one gray over 150 columns (a blank canvas would pass the rest).
      expect(skylineShape(await art(ours.port, "VERSION", "6", "150", "45"), 45).grays).toBe(true)
      expect(skylineShape(await art(ours.port, "VERSION", "6"), 20).footer).toEqual([
        "Dedicated to the 8 bit game developers of past and present.",
        "Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15",
        ""
      ])
    } finally {
      await Promise.all([ours.stop(), redis.stop()])
    }
  })
})
