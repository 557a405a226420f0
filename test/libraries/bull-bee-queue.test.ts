/**
 * Two older job queues, unchanged, on real Redis 7 and on redfiber with the same expectations:
 * `bull` v4 (ioredis, Lua scripts, pub/sub for global events, delayed set) and `bee-queue`
 * (node-redis v3, EVALSHA scripts, a delayed set and pub/sub for job events).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import BeeQueue from "bee-queue"
import Bull from "bull"
import type { RunningServer } from "../support/servers.js"
import { targets, waitUntil } from "./targets.js"

for (const target of targets) {
  describe(`bull and bee-queue on ${target.name}`, () => {
    let server: RunningServer

    beforeAll(async () => {
      server = await target.start()
    })
    afterAll(async () => {
      await server?.stop()
    })

    it("bull: processes, retries with backoff, runs a delayed job, reports progress and counts", async () => {
      const queue = new Bull("bull-work", { redis: { host: "127.0.0.1", port: server.port } })
      try {
        await queue.isReady()
        const tries = new Map<string, number>()
        const progress: Array<unknown> = []
        const completed: Array<string> = []
        const failed: Array<{ id: string; reason: string }> = []
        queue.on("global:progress", (jobId: string, value: unknown) => progress.push([String(jobId), value]))
        queue.on("global:completed", (jobId: string) => completed.push(String(jobId)))
        queue.on("global:failed", (jobId: string, reason: string) => failed.push({ id: String(jobId), reason }))
        void queue.process(3, async (job) => {
          const kind = job.data.kind as string
          tries.set(kind, (tries.get(kind) ?? 0) + 1)
          if (kind === "flaky" && job.attemptsMade < 2) throw new Error("not yet")
          if (kind === "broken") throw new Error("broken for good")
          if (kind === "reporting") await job.progress(60)
          return { kind, n: job.data.n * 10 }
        })
        const plain = await Promise.all([1, 2, 3, 4].map((n) => queue.add({ kind: "plain", n })))
        const flaky = await queue.add({ kind: "flaky", n: 5 }, { attempts: 3, backoff: { type: "exponential", delay: 50 } })
        const broken = await queue.add({ kind: "broken", n: 6 }, { attempts: 2, backoff: { type: "fixed", delay: 20 } })
        const reporting = await queue.add({ kind: "reporting", n: 7 })
        // Long enough that the state check runs before it is due, even on a loaded machine.
        const delayed = await queue.add({ kind: "delayed", n: 8 }, { delay: 1500 })
        expect(await delayed.getState()).toBe("delayed")
        await waitUntil(() => completed.length === 7 && failed.length === 1, "7 completed and 1 failed")
        expect(new Set(completed)).toEqual(new Set([...plain, flaky, reporting, delayed].map((job) => String(job.id))))
        expect(failed).toEqual([{ id: String(broken.id), reason: "broken for good" }])
        expect(tries.get("flaky")).toBe(3)
        expect(tries.get("broken")).toBe(2)
        expect(progress).toEqual([[String(reporting.id), 60]])
        expect((await queue.getJob(plain[2]!.id))!.returnvalue).toEqual({ kind: "plain", n: 30 })
        const delayedDone = (await queue.getJob(delayed.id))!
        expect(delayedDone.processedOn! - delayedDone.timestamp).toBeGreaterThanOrEqual(1500)
        expect(await queue.getJobCounts()).toEqual({ waiting: 0, active: 0, completed: 7, failed: 1, delayed: 0, paused: 0 })
        expect(await queue.getCompletedCount()).toBe(7)
        const retried = (await queue.getJob(broken.id))!
        await retried.retry()
        await waitUntil(() => failed.length === 2, "the retried job to fail again")
        await queue.empty()
        await queue.clean(0, "completed")
        await queue.clean(0, "failed")
        expect(await queue.getJobCounts()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0, paused: 0 })
      } finally {
        await queue.close()
      }
    })

    it("bee-queue: processes, retries with backoff, runs a delayed job, and reports health", async () => {
      const redis = { host: "127.0.0.1", port: server.port }
      const producer = new BeeQueue("bee-work", { redis, isWorker: false, activateDelayedJobs: true })
      const worker = new BeeQueue("bee-work", { redis, activateDelayedJobs: true })
      try {
        await producer.ready()
        await worker.ready()
        // Before the worker runs: a backoff of a failing job would be delayed too.
        const delayed = await producer.createJob({ kind: "delayed", n: 7 }).delayUntil(Date.now() + 1500).save()
        const early = await producer.checkHealth()
        expect(early.delayed).toBe(1)
        const tries = new Map<string, number>()
        worker.process(2, async (job: BeeQueue.Job<{ kind: string; n: number }>) => {
          const kind = job.data.kind
          tries.set(kind, (tries.get(kind) ?? 0) + 1)
          if (kind === "flaky" && tries.get(kind)! < 3) throw new Error("not yet")
          if (kind === "broken") throw new Error("broken for good")
          if (kind === "reporting") job.reportProgress({ done: 50 })
          return job.data.n * 2
        })
        const results = new Map<string, unknown>()
        const failures = new Map<string, string>()
        const progress: Array<unknown> = []
        producer.on("job succeeded", (jobId: string, result: unknown) => results.set(jobId, result))
        producer.on("job failed", (jobId: string, error: Error) => failures.set(jobId, error.message))
        producer.on("job progress", (_jobId: string, value: unknown) => progress.push(value))
        const plain = await Promise.all([1, 2, 3].map((n) => producer.createJob({ kind: "plain", n }).save()))
        const flaky = await producer.createJob({ kind: "flaky", n: 4 }).retries(2).backoff("exponential", 40).save()
        const broken = await producer.createJob({ kind: "broken", n: 5 }).retries(1).backoff("fixed", 20).save()
        const reporting = await producer.createJob({ kind: "reporting", n: 6 }).save()
        await waitUntil(() => results.size === 6 && failures.size === 1, "6 successes and 1 failure")
        expect(Object.fromEntries(results)).toEqual({
          [plain[0]!.id]: 2, [plain[1]!.id]: 4, [plain[2]!.id]: 6, [flaky.id]: 8, [reporting.id]: 12, [delayed.id]: 14
        })
        expect(failures.get(broken.id)).toBe("broken for good")
        expect(tries.get("flaky")).toBe(3)
        expect(tries.get("broken")).toBe(2)
        expect(progress).toEqual([{ done: 50 }])
        const health = await producer.checkHealth()
        expect({ ...health, newestJob: undefined }).toEqual({
          waiting: 0, active: 0, succeeded: 6, failed: 1, delayed: 0, newestJob: undefined
        })
        expect(String(health.newestJob)).toBe(reporting.id)
        const failedJobs = await producer.getJobs("failed", { size: 10 })
        expect(failedJobs.map((job) => job.id)).toEqual([broken.id])
        const stored = await producer.getJob(flaky.id)
        expect(stored.status).toBe("succeeded")
        await producer.removeJob(broken.id)
        expect((await producer.checkHealth()).failed).toBe(0)
        await producer.destroy()
      } finally {
        await worker.close(2000)
        await producer.close(2000)
      }
    })
  })
}
