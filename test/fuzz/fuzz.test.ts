/**
 * A short run of `pnpm fuzz` (scripts/fuzz/run.mjs) as part of the suite: 15 seconds of random
 * and mutated RESP from 16 connections against the built server in a child process, with a
 * control client checking every second that it still answers. Zero crashes, hangs, wrong
 * answers, internal errors and connection defects (a quarter of the connections authenticate as
 * restricted ACL users); the append-only file it wrote loads again.
 *
 * The RSS bound, 300 MB: the server starts at about 56 MB; each of the 16 connections can make it
 * hold at most about 4.5 MB at once (4 MB of unsent replies before backpressure stops reading
 * it, plus the few hundred KB of unparsed input a case sends); the fuzz keys (40 names in 16
 * databases, values up to 6 KB, lists and sets that grow by a few elements per command) stay
 * within some tens of MB over 15 s; the rest is room for V8's heap to grow before it collects.
 * Runs measured 130-140 MB with 32 connections.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync, spawn } from "node:child_process"

const RSS_BOUND_MB = 300

const runFuzz = (args: ReadonlyArray<string>): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/fuzz/run.mjs", ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.once("exit", () => {
      const line = stdout.trim().split("\n").pop() ?? ""
      try {
        resolve(JSON.parse(line))
      } catch {
        reject(new Error(`the fuzzer printed no report: ${stdout}${stderr}`))
      }
    })
  })

describe("fuzzing (short run)", () => {
  it("random and mutated RESP: no crash, no hang, bounded memory", { timeout: 120_000 }, async () => {
    execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
    const seed = Date.now() % 1_000_000
    const report = await runFuzz(["--seconds", "15", "--connections", "16", "--seed", String(seed), "--max-rss-mb", String(RSS_BOUND_MB), "--json"])
    const summary = JSON.stringify({ ...report, kinds: undefined })
    console.log(`fuzz: ${summary}`)
    expect({
      crashes: report.crashes,
      hangs: report.hangs,
      wrongAnswers: report.wrongAnswers,
      internalErrors: report.internalErrors,
      defects: report.defects,
      aofReload: report.aofReload,
      seed
    }).toEqual({ crashes: 0, hangs: 0, wrongAnswers: 0, internalErrors: 0, defects: 0, aofReload: "ok", seed })
    expect(report.rssPeakMb as number).toBeLessThan(RSS_BOUND_MB)
    // It did run: many cases over many connections, and the control client checked throughout.
    expect(report.cases as number).toBeGreaterThan(500)
    expect(report.connections as number).toBeGreaterThan(500)
    expect(report.controlChecks as number).toBeGreaterThanOrEqual(10)
    // Some connections ran as restricted ACL users (keys, channels, selectors refused).
    expect(report.restricted as number).toBeGreaterThan(50)
    expect(report.passed).toBe(true)
  })
})
