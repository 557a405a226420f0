/**
 * BullMQ beyond the basics, on real Redis 7 and on redfiber with the same expectations: delayed
 * jobs, exponential backoff, final failures, progress, a job scheduler (repeatable job),
 * getJobCounts and obliterate, with the events observed through QueueEvents (XREAD BLOCK on the
 * queue's event stream).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Job, Queue, QueueEvents, Worker } from "bullmq"
import { Redis } from "ioredis"
import type { RunningServer } from "../support/servers.js"
import { targets, waitUntil } from "./targets.js"

for (const target of targets) {
  describe(`BullMQ (full) on ${target.name}`, () => {
    let server: RunningServer
    let connection: { host: string; port: number; maxRetriesPerRequest: null }
    let admin: Redis

    beforeAll(async () => {
      server = await target.start()
      connection = { host: "127.0.0.1", port: server.port, maxRetriesPerRequest: null }
      admin = new Redis({ port: server.port, lazyConnect: true })
      await admin.connect()
    })
    afterAll(async () => {
      admin?.disconnect()
      await server?.stop()
    })

    /** A queue, its QueueEvents (ready) and a worker running `processor`; all closed after `body`. */
    const withQueue = async (
      name: string,
      processor: (job: Job) => Promise<unknown>,
      body: (queue: Queue, events: QueueEvents) => Promise<void>,
      concurrency = 4
    ) => {
      const queue = new Queue(name, { connection })
      const events = new QueueEvents(name, { connection })
      await events.waitUntilReady()
      const worker = new Worker(name, processor, { connection, concurrency })
      await worker.waitUntilReady()
      try {
        await body(queue, events)
      } finally {
        await worker.close()
        await events.close()
        await queue.close()
      }
    }

    it("delays a job until its time, then runs it", async () => {
      await withQueue("delays", async (job) => job.data.n + 1, async (queue, events) => {
        const completed = new Map<string, string>()
        events.on("completed", ({ jobId, returnvalue }) => completed.set(jobId, String(returnvalue)))
        const delayedEvents: Array<string> = []
        events.on("delayed", ({ jobId }) => delayedEvents.push(jobId))
        // Long enough that the state checks below run before it is due, even on a loaded machine.
        const later = await queue.add("later", { n: 1 }, { delay: 1500 })
        expect(await later.getState()).toBe("delayed")
        expect(await queue.getJobCounts("delayed", "waiting")).toEqual({ delayed: 1, waiting: 0 })
        await waitUntil(() => completed.has(later.id!), "the delayed job to complete")
        expect(completed.get(later.id!)).toBe("2")
        const done = (await queue.getJob(later.id!))!
        expect(done.processedOn! - done.timestamp).toBeGreaterThanOrEqual(1500)
        expect(delayedEvents).toContain(later.id!)
      })
    })

    it("retries with exponential backoff, and fails for good after the last attempt", async () => {
      const tries = new Map<string, Array<number>>()
      await withQueue("retries", async (job) => {
        tries.set(job.name, [...(tries.get(job.name) ?? []), Date.now()])
        if (job.name === "hopeless") throw new Error("always broken")
        if (job.attemptsMade < 2) throw new Error(`attempt ${job.attemptsMade + 1} fails`)
        return "third time lucky"
      }, async (queue, events) => {
        const failed: Array<{ jobId: string; failedReason: string }> = []
        const completed: Array<string> = []
        events.on("failed", ({ jobId, failedReason }) => failed.push({ jobId, failedReason }))
        events.on("completed", ({ jobId }) => completed.push(jobId))
        const flaky = await queue.add("flaky", {}, { attempts: 4, backoff: { type: "exponential", delay: 100 } })
        const hopeless = await queue.add("hopeless", {}, { attempts: 2, backoff: { type: "exponential", delay: 50 } })
        await waitUntil(() => completed.includes(flaky.id!) && failed.some((f) => f.jobId === hopeless.id!), "flaky to complete and hopeless to fail")
        const flakyTries = tries.get("flaky")!
        expect(flakyTries).toHaveLength(3)
        // Exponential: the second wait (2 × delay) is at least 200 ms, the first at least 100 ms.
        expect(flakyTries[1]! - flakyTries[0]!).toBeGreaterThanOrEqual(90)
        expect(flakyTries[2]! - flakyTries[1]!).toBeGreaterThanOrEqual(190)
        const flakyJob = (await queue.getJob(flaky.id!))!
        expect(flakyJob.attemptsMade).toBe(3)
        expect(flakyJob.returnvalue).toBe("third time lucky")
        expect(flakyJob.stacktrace).toHaveLength(2)
        const hopelessJob = (await queue.getJob(hopeless.id!))!
        expect(await hopelessJob.getState()).toBe("failed")
        expect(hopelessJob.attemptsMade).toBe(2)
        expect(hopelessJob.failedReason).toBe("always broken")
        expect(failed.find((f) => f.jobId === hopeless.id!)!.failedReason).toBe("always broken")
        expect(await queue.getJobCounts("completed", "failed", "delayed", "waiting", "active")).toEqual({
          completed: 1, failed: 1, delayed: 0, waiting: 0, active: 0
        })
        expect((await queue.getFailed()).map((job) => job.id)).toEqual([hopeless.id])
      })
    })

    it("reports progress through QueueEvents", async () => {
      await withQueue("progress", async (job) => {
        await job.updateProgress(25)
        await job.updateProgress({ step: "half", pct: 50 })
        await job.updateProgress(100)
        return "ok"
      }, async (queue, events) => {
        const seen: Array<unknown> = []
        events.on("progress", ({ data }) => seen.push(data))
        let completed = false
        events.on("completed", () => (completed = true))
        const job = await queue.add("report", {})
        await waitUntil(() => completed && seen.length === 3, "three progress events and completion")
        expect(seen).toEqual([25, { step: "half", pct: 50 }, 100])
        expect((await queue.getJob(job.id!))!.progress).toBe(100)
      })
    })

    it("runs a job scheduler (repeatable job) every interval until removed", async () => {
      const runs: Array<string> = []
      await withQueue("repeat", async (job) => {
        runs.push(job.data.tick)
        return runs.length
      }, async (queue) => {
        await queue.upsertJobScheduler("ticker", { every: 150 }, { name: "tick", data: { tick: "t" } })
        const schedulers = await queue.getJobSchedulers()
        expect(schedulers.map((s) => [s.key, s.every, s.name])).toEqual([["ticker", 150, "tick"]])
        await waitUntil(() => runs.length >= 3, "three runs of the scheduler")
        expect(await queue.removeJobScheduler("ticker")).toBe(true)
        expect(await queue.getJobSchedulers()).toEqual([])
        expect(await queue.getJobSchedulersCount()).toBe(0)
        const settled = runs.length
        await new Promise((resolve) => setTimeout(resolve, 400))
        // At most one run already in flight when the scheduler went.
        expect(runs.length - settled).toBeLessThanOrEqual(1)
        expect(runs.every((tick) => tick === "t")).toBe(true)
      })
    })

    it("counts jobs in every state, then obliterates the queue's keys", async () => {
      const queue = new Queue("counts", { connection })
      try {
        await queue.addBulk(Array.from({ length: 5 }, (_, n) => ({ name: "w", data: { n } })))
        await queue.add("d", {}, { delay: 60_000 })
        await queue.add("p", {}, { priority: 3 })
        await queue.pause()
        expect(await queue.isPaused()).toBe(true)
        expect(await queue.getJobCounts("waiting", "delayed", "prioritized", "active", "completed")).toEqual({
          // BullMQ 5+ leaves a paused queue's jobs in its wait list (the meta key holds the pause;
          // BullMQ 6 has no paused list to count).
          waiting: 5, delayed: 1, prioritized: 1, active: 0, completed: 0
        })
        expect(await admin.hget("bull:counts:meta", "paused")).toBe("1")
        await queue.resume()
        expect(await queue.isPaused()).toBe(false)
        expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 5 })
        expect(await queue.count()).toBe(7)
        expect((await admin.keys("bull:counts:*")).length).toBeGreaterThan(0)
        await queue.obliterate({ force: true })
        expect(await admin.keys("bull:counts:*")).toEqual([])
        expect(await queue.getJobCounts("waiting", "delayed", "prioritized")).toEqual({ waiting: 0, delayed: 0, prioritized: 0 })
      } finally {
        await queue.close()
      }
    })
  })
}
