/**
 * The differential suite: the same commands sent to our server and to a real redis-server, every
 * reply compared (see compare.ts for how). Two halves:
 * - hand-written scripts per command family (test/compat/scripts/*), one test each;
 * - fast-check generated sequences over a small key space (generators.ts), all run, mismatches
 *   grouped by command and reply kinds, each group with a minimal repro.
 * Without redis-server installed the whole suite is skipped (and says so).
 *
 * Everything runs twice: in RESP2, and with every connection switched to RESP3 by HELLO 3 (maps,
 * sets, doubles, nulls, pushes compared as they are sent).
 *
 * REDFIBER_DIFF_SEED and REDFIBER_DIFF_RUNS change the generated half's seed and size (RESP2);
 * REDFIBER_DIFF_RUNS_RESP3 the size of the RESP3 pass (which uses the seed plus one).
 */
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { formatMismatch, type Mismatch, Pair, type Script } from "./compare.js"
import { commandSequence } from "./generators.js"
import { formatGroup, groupMismatches, minimize } from "./report.js"
import { clusterScripts } from "./scripts/cluster.js"
import { aclScripts } from "./scripts/acl.js"
import { trackingScripts } from "./scripts/tracking.js"
import { connectionScripts } from "./scripts/connection.js"
import { dumpRestoreScripts } from "./scripts/dump-restore.js"
import { geoScripts } from "./scripts/geo.js"
import { hashScripts } from "./scripts/hashes.js"
import { keyScripts } from "./scripts/keys.js"
import { listScripts } from "./scripts/lists.js"
import { memoryScripts } from "./scripts/memory.js"
import { pubsubScripts } from "./scripts/pubsub.js"
import { scriptingScripts } from "./scripts/scripting.js"
import { replicationScripts } from "./scripts/replication.js"
import { serverScripts } from "./scripts/server.js"
import { setScripts } from "./scripts/sets.js"
import { sortScripts } from "./scripts/sort.js"
import { streamScripts } from "./scripts/streams.js"
import { stringScripts } from "./scripts/strings.js"
import { transactionScripts } from "./scripts/transactions.js"
import { blockingScripts } from "./scripts/blocking.js"
import { bitmapScripts } from "./scripts/bitmaps.js"
import { hyperLogLogScripts } from "./scripts/hyperloglog.js"
import { observabilityScripts } from "./scripts/observability.js"
import { zsetScripts } from "./scripts/zsets.js"
import {
  hasRealRedis,
  type RunningRedfiber,
  type RunningServer,
  startRealRedis,
  startRedfiber
} from "../support/servers.js"

const SEED = Number(process.env.REDFIBER_DIFF_SEED ?? 7_000_007)
const RUNS = Number(process.env.REDFIBER_DIFF_RUNS ?? 500)
const RUNS_RESP3 = Number(process.env.REDFIBER_DIFF_RUNS_RESP3 ?? 250)
/** Mismatch groups of the generated half that get a minimal repro (each costs a few hundred runs). */
const MINIMIZED_GROUPS = 12
/** Sequences cut short by a reply that never came, after which the generated half stops. */
const MAX_BROKEN_SEQUENCES = 10

const families: ReadonlyArray<readonly [string, ReadonlyArray<Script>]> = [
  ["connection", connectionScripts],
  ["strings", stringScripts],
  ["keys", keyScripts],
  ["server", serverScripts],
  ["lists", listScripts],
  ["hashes", hashScripts],
  ["sets", setScripts],
  ["zsets", zsetScripts],
  ["pubsub", pubsubScripts],
  ["transactions", transactionScripts],
  ["blocking", blockingScripts],
  ["dump-restore", dumpRestoreScripts],
  ["memory", memoryScripts],
  ["cluster", clusterScripts],
  ["geo", geoScripts],
  ["sort", sortScripts],
  ["bitmaps", bitmapScripts],
  ["hyperloglog", hyperLogLogScripts],
  ["streams", streamScripts],
  ["scripting", scriptingScripts],
  ["acl", aclScripts],
  ["tracking", trackingScripts],
  ["observability", observabilityScripts],
  ["replication", replicationScripts]
]

if (!hasRealRedis) console.warn("differential suite skipped: redis-server is not installed")

const defineDifferential = (protocol: 2 | 3, seed: number, runs: number) =>
  describe.skipIf(!hasRealRedis)(`differential: redfiber vs redis-server${protocol === 3 ? " in RESP3" : ""}`, () => {
    let ours: RunningRedfiber | undefined
    let redis: RunningServer | undefined
    let pair: Pair
    const totals = { scripts: 0, scriptSteps: 0, sequences: 0, sequenceSteps: 0 }
    const allMismatches: Array<Mismatch> = []

    beforeAll(async () => {
      ;[ours, redis] = await Promise.all([startRedfiber(), startRealRedis()])
      pair = await Pair.open(ours, redis, protocol)
    })

    afterAll(async () => {
      pair?.close()
      await Promise.all([ours?.stop(), redis?.stop()])
      console.log(
        `differential (RESP${protocol}): ${totals.scripts} hand-written scripts (${totals.scriptSteps} commands) and ` +
          `${totals.sequences} generated sequences (${totals.sequenceSteps} commands) compared; ` +
          `${allMismatches.length} mismatching replies`
      )
      if (allMismatches.length > 0) {
        console.log(`mismatches by command:\n${groupMismatches(allMismatches).map((g) => formatGroup(g)).join("\n")}`)
      }
    })

    for (const [family, scripts] of families) {
      for (const script of scripts) {
        it.skipIf(script.protocols !== undefined && !script.protocols.includes(protocol))(`${family}: ${script.name}`, async (ctx) => {
          for (const name of script.requires ?? []) {
            if (!(await pair.oursKnows(name))) return ctx.skip()
          }
          await pair.reset()
          const before = pair.stepsCompared
          const mismatches = await pair.run(`${family}: ${script.name}`, script.steps)
          totals.scripts++
          totals.scriptSteps += pair.stepsCompared - before
          allMismatches.push(...mismatches)
          if (mismatches.length > 0) {
            throw new Error(`${mismatches.length} replies differ:\n${mismatches.map(formatMismatch).join("\n")}`)
          }
        })
      }
    }

    it(`generated: ${runs} random command sequences (seed ${seed})`, async () => {
      const sequences = fc.sample(commandSequence, { numRuns: runs, seed })
      const found: Array<{ readonly mismatch: Mismatch; readonly sequence: number }> = []
      const before = pair.stepsCompared
      const brokenBefore = pair.brokenRuns
      let ran = 0
      while (ran < sequences.length && pair.brokenRuns - brokenBefore < MAX_BROKEN_SEQUENCES) {
        await pair.reset()
        for (const mismatch of await pair.run(`generated ${ran}`, sequences[ran])) found.push({ mismatch, sequence: ran })
        ran++
      }
      totals.sequences += ran
      totals.sequenceSteps += pair.stepsCompared - before
      allMismatches.push(...found.map((f) => f.mismatch))
      if (found.length === 0) return

      const groups = groupMismatches(found.map((f) => f.mismatch))
      const sections: Array<string> = []
      for (const [n, group] of groups.entries()) {
        const origin = found.find((f) => f.mismatch === group.first)!
        const repro = n < MINIMIZED_GROUPS
          ? await minimize(pair, sequences[origin.sequence], group.first.index, group.signature)
          : undefined
        sections.push(formatGroup(group, repro))
      }
      const stoppedEarly = ran < sequences.length
        ? `stopped after ${ran} sequences: ${MAX_BROKEN_SEQUENCES} of them lost a reply or a connection\n`
        : ""
      throw new Error(
        stoppedEarly +
        `${found.length} replies differ in ${new Set(found.map((f) => f.sequence)).size} of ${ran} ` +
          `sequences (seed ${seed}), ${groups.length} kinds:\n${sections.join("\n")}`
      )
    }, 120_000)
  })

defineDifferential(2, SEED, RUNS)
defineDifferential(3, SEED + 1, RUNS_RESP3)
