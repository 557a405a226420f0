/**
 * BullMQ, unchanged, against real Redis 7 and against redfiber: a queue, a worker, QueueEvents
 * (which reads the queue's event stream with XREAD BLOCK), retries with backoff, delayed jobs and
 * job counts. BullMQ runs nearly all of its commands as Lua scripts (EVALSHA), which call the
 * stream commands (XADD with MAXLEN ~, XTRIM, XRANGE) besides the other families.
 */
import { describe, expect, it } from "@effect/vitest"
import { type Job, Queue, QueueEvents, Worker } from "bullmq"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

interface Target {
  readonly name: string
  readonly start: () => Promise<{ readonly port: number; readonly stop: () => Promise<void> }>
}

const targets: ReadonlyArray<Target> = [
  ...(hasRealRedis ? [{ name: "real Redis 7", start: () => startRealRedis() }] : []),
  { name: "redfiber", start: () => startRedfiber() }
]

const waitUntil = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

for (const target of targets) {
  describe(`BullMQ on ${target.name}`, () => {
    it("processes jobs, retries failures, runs delayed jobs, and streams its events", async () => {
      const server = await target.start()
      try {
        const connection = { host: "127.0.0.1", port: server.port, maxRetriesPerRequest: null }
        const queue = new Queue("work", { connection })
        const events = new QueueEvents("work", { connection })
        await events.waitUntilReady()
        const completed: Array<string> = []
        events.on("completed", ({ jobId }) => completed.push(jobId))
        const attempts = new Map<string, number>()
        const worker = new Worker(
          "work",
          async (job: Job) => {
            attempts.set(job.name, (attempts.get(job.name) ?? 0) + 1)
            if (job.name === "flaky" && attempts.get("flaky")! < 3) throw new Error("try again")
            return { doubled: (job.data as { n: number }).n * 2 }
          },
          { connection, concurrency: 4 }
        )
        try {
          const jobs = await queue.addBulk(Array.from({ length: 20 }, (_, n) => ({ name: `job${n}`, data: { n } })))
          const flaky = await queue.add("flaky", { n: 100 }, { attempts: 5, backoff: { type: "fixed", delay: 50 } })
          const delayed = await queue.add("later", { n: 7 }, { delay: 300 })
          await waitUntil(() => completed.length === 22, "22 completed events")
          expect(new Set(completed)).toEqual(new Set([...jobs.map((job) => job.id!), flaky.id!, delayed.id!]))
          for (const job of jobs) {
            expect((await queue.getJob(job.id!))!.returnvalue).toEqual({ doubled: (job.data as { n: number }).n * 2 })
          }
          expect(attempts.get("flaky")).toBe(3)
          expect((await queue.getJob(flaky.id!))!.attemptsMade).toBe(3)
          expect(await queue.getJobCounts("completed", "failed", "waiting", "delayed", "active")).toEqual({
            completed: 22,
            failed: 0,
            waiting: 0,
            delayed: 0,
            active: 0
          })
        } finally {
          await worker.close()
          await events.close()
          await queue.close()
        }
      } finally {
        await server.stop()
      }
    })
  })
}
