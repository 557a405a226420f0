/**
 * The two servers every library suite runs against: real redis-server 7 (the oracle, when
 * installed) and redfiber, each started on an ephemeral port by the suite and stopped by it.
 */
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

export interface Target {
  readonly name: string
  readonly start: () => Promise<RunningServer>
}

export const targets: ReadonlyArray<Target> = [
  ...(hasRealRedis ? [{ name: "real Redis 7", start: () => startRealRedis() }] : []),
  { name: "redfiber", start: () => startRedfiber() }
]

/** Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export const waitUntil = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
