/**
 * maxmemory: what the server counts as used memory, and eviction as Redis 7.0 does it.
 *
 * Used memory is `PROCESS_BASELINE_BYTES` plus the keyspace's estimate (src/keyspace/table/MemoryLedger.ts),
 * O(1) to read. Client buffers are not in it: they are bounded per client instead
 * (src/server/ClientLimits.ts), where Redis counts them in used_memory too.
 *
 * Eviction (Redis's performEvictions) runs before every command of a client once maxmemory is
 * set, and in a cron for what a command's time budget left: while used memory is over the limit,
 * pick a victim by the policy and delete it, across all databases —
 * - lru / lfu / ttl: each round samples `maxmemory-samples` keys per database (all keys, or only
 *   those with a TTL for volatile-*) into a pool of the 16 best candidates kept between rounds,
 *   and evicts the best one still present: the longest idle (LRU seconds), the least used (LFU
 *   counter after decay: 255 - counter), the nearest expiry (volatile-ttl);
 * - random: a random key of the next database that has one (all keys, or those with a TTL).
 * An evicted key is deleted as DEL would (WATCH sees it), counted in INFO's evicted_keys,
 * announced as an `evicted` keyspace event and logged to the AOF as a DEL. One call stops after
 * the time `maxmemory-eviction-tenacity` allows (500 µs at the default 10, checked every 16 keys)
 * and the cron carries on; when nothing can be evicted (noeviction, or no candidate key) and
 * memory is still over the limit, commands flagged `denyoom` get the OOM error.
 */
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Alarm } from "../keyspace/Alarm.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import { NotifyType } from "../pubsub/keyspaceEvents.js"
import type { Hub, Publisher } from "../pubsub/Hub.js"
import type { Observability } from "../observability/Observability.js"
import type { CommandInfo } from "../protocol/CommandInfo.js"
import type { ClientState } from "../session/ClientState.js"

/** What eviction reads and counts of the server (its ServerState). */
export interface EvictionHost {
  readonly config: RuntimeConfig
  readonly stats: { peakMemory: number; evictedKeys: number }
  readonly pubsub: Hub
  readonly observability: Pick<Observability, "pause" | "monitoring" | "micros" | "phaseEnded">
  /** Wakes the memory cron, to carry on an eviction cut short by its time budget. */
  readonly cronAlarm: Pick<Alarm, "request">
}

/** The running command as the OOM check sees it (a CommandContext). */
export interface EvictionCaller extends Publisher {
  readonly server: EvictionHost
  readonly keyspace: Keyspace
  readonly now: number
  readonly client: ClientState
}

/**
 * What an empty server holds before any key: 9.1 MB of JS heap and buffers after a full GC,
 * measured on Node 20 with the bundled server listening and no client (Redis 7.0 reports about
 * 0.9 MB for the same). Fixed, so that used memory does not move with the garbage collector.
 */
export const PROCESS_BASELINE_BYTES = 9 * 1024 * 1024

export const OOM = "OOM command not allowed when used memory > 'maxmemory'."

/** Redis's EVPOOL_SIZE. */
const POOL_SIZE = 16

/** Estimated bytes in use: the baseline and the keyspace (settled). */
export const usedMemory = (keyspace: Keyspace): number => PROCESS_BASELINE_BYTES + keyspace.memoryBytes()

interface Candidate {
  key: string
  db: number
  /** Higher is a better victim. */
  idle: number
}

/** Per keyspace: the eviction pool and where random eviction continues (Redis keeps both static). */
interface EvictionState {
  readonly pool: Array<Candidate | undefined>
  nextDb: number
}
const states = new WeakMap<Keyspace, EvictionState>()
const stateOf = (keyspace: Keyspace): EvictionState => {
  let state = states.get(keyspace)
  if (state === undefined) {
    state = { pool: new Array<Candidate | undefined>(POOL_SIZE).fill(undefined), nextDb: 0 }
    states.set(keyspace, state)
  }
  return state
}

/** Redis's evictionPoolPopulate insertion: the pool stays sorted by idle, best last. */
const insertCandidate = (pool: Array<Candidate | undefined>, key: string, db: number, idle: number): void => {
  let k = 0
  while (k < POOL_SIZE && pool[k] !== undefined && pool[k]!.idle < idle) k++
  if (k === 0 && pool[POOL_SIZE - 1] !== undefined) return // worse than all, and no room
  if (k < POOL_SIZE && pool[k] === undefined) {
    // An empty slot: take it.
  } else if (pool[POOL_SIZE - 1] === undefined) {
    // Room on the right: shift k.. right.
    for (let j = POOL_SIZE - 1; j > k; j--) pool[j] = pool[j - 1]
  } else {
    // Full: drop the worst (leftmost), shifting left up to k - 1.
    k--
    for (let j = 0; j < k; j++) pool[j] = pool[j + 1]
  }
  pool[k] = { key, db, idle }
}

/** The next key to evict under an lru / lfu / ttl policy, or undefined when no database has candidates. */
const pooledVictim = (keyspace: Keyspace, config: RuntimeConfig, allKeys: boolean): Candidate | undefined => {
  const { pool } = stateOf(keyspace)
  const policy = config.maxmemoryPolicy
  const lfu = policy.endsWith("lfu")
  const ttl = policy === "volatile-ttl"
  const access = keyspace.access
  for (;;) {
    let candidates = 0
    for (const db of keyspace.databases) {
      const table = db.table
      const count = allKeys ? table.size : table.volatileCount
      if (count === 0) continue
      candidates += count
      const samples = Math.min(config.maxmemorySamples, count)
      for (let i = 0; i < samples; i++) {
        const ref = allKeys ? table.randomRef() : table.randomVolatileRef()
        let idle: number
        if (ttl) idle = Number.MAX_SAFE_INTEGER - table.expireAt(ref)!
        else if (lfu) idle = 255 - access.decayed(table.accessStamp(ref))
        else idle = access.idleSeconds(table.accessStamp(ref))
        insertCandidate(pool, table.keyOf(ref), db.id, idle)
      }
    }
    if (candidates === 0) return undefined
    // Best first; a key gone since it was pooled (or no longer volatile) is a ghost: skip it.
    for (let k = POOL_SIZE - 1; k >= 0; k--) {
      const candidate = pool[k]
      if (candidate === undefined) continue
      pool[k] = undefined
      const table = keyspace.databases[candidate.db].table
      const ref = table.find(candidate.key)
      if (ref !== -1 && (allKeys || table.expireAt(ref) !== undefined)) return candidate
    }
  }
}

/** A random key of the next database that has one, under a random policy. */
const randomVictim = (keyspace: Keyspace, allKeys: boolean): Candidate | undefined => {
  const state = stateOf(keyspace)
  const databases = keyspace.databases
  for (let i = 0; i < databases.length; i++) {
    state.nextDb = (state.nextDb + 1) % databases.length
    const table = databases[state.nextDb].table
    if ((allKeys ? table.size : table.volatileCount) === 0) continue
    const ref = allKeys ? table.randomRef() : table.randomVolatileRef()
    return { key: table.keyOf(ref), db: state.nextDb, idle: 0 }
  }
  return undefined
}

/** How long one eviction call may run, in ms (Redis's evictionTimeLimitUs). */
const timeLimitMillis = (tenacity: number): number => {
  if (tenacity <= 10) return (50 * tenacity) / 1000
  if (tenacity < 100) return (500 * 1.15 ** (tenacity - 10)) / 1000
  return Number.POSITIVE_INFINITY
}

/** Under the limit (or no limit), still over it but evicting, or over it with nothing to evict. */
export type EvictionResult = "ok" | "running" | "fail"

/**
 * Evicts keys until used memory is at most maxmemory, or the time budget is spent. `now` is the
 * batch's time (for the keyspace event); `publisher` the running command, whose client gets its
 * own event messages in its reply.
 */
export const performEvictions = (
  server: EvictionHost,
  keyspace: Keyspace,
  now: number,
  publisher?: Publisher
): EvictionResult => {
  const config = server.config
  const limit = config.maxmemory
  if (limit <= 0) return "ok"
  // Nothing is evicted while clients are paused (CLIENT PAUSE), as in Redis 7.0.
  if (server.observability.pause.isPaused(now)) return "ok"
  const used = usedMemory(keyspace)
  // The peak is seen here before eviction brings it down (the cron samples it too).
  if (used > server.stats.peakMemory) server.stats.peakMemory = used
  if (used <= limit) return "ok"
  const policy = config.maxmemoryPolicy
  if (policy === "noeviction") return "fail"
  const allKeys = policy.startsWith("allkeys")
  const random = policy.endsWith("random")
  const deadline = performance.now() + timeLimitMillis(config.maxmemoryEvictionTenacity)
  // The latency monitor's eviction-cycle (this whole call) and eviction-del (each key's deletion).
  const probe = server.observability.monitoring ? server.observability : undefined
  const cycleStarted = probe !== undefined ? probe.micros() : 0
  const cycleEnds = (result: EvictionResult): EvictionResult => {
    if (probe !== undefined) probe.phaseEnded("eviction-cycle", cycleStarted)
    return result
  }
  let evicted = 0
  for (;;) {
    const victim = random ? randomVictim(keyspace, allKeys) : pooledVictim(keyspace, config, allKeys)
    if (victim === undefined) return cycleEnds("fail")
    const db = keyspace.databases[victim.db]
    const deleteStarted = probe !== undefined ? probe.micros() : 0
    db.delete(victim.key)
    if (probe !== undefined) probe.phaseEnded("eviction-del", deleteStarted)
    keyspace.commandLog.append(db.id, ["DEL", victim.key])
    server.stats.evictedKeys++
    server.pubsub.notifyKeyspaceEvent(NotifyType.Evicted, "evicted", victim.key, db.id, now, publisher)
    evicted++
    if (usedMemory(keyspace) <= limit) return cycleEnds("ok")
    if (evicted % 16 === 0 && performance.now() > deadline) {
      // The memory cron carries on where the time budget stopped.
      server.cronAlarm.request(0)
      return cycleEnds("running")
    }
  }
}

/** What MULTI may still take when out of memory: the commands that end or leave it (Redis 7.0's list). */
const RUN_IN_MULTI_WHEN_FULL: ReadonlySet<string> = new Set(["exec", "discard", "quit", "reset"])

/**
 * Before a client's command with maxmemory set: evicts what the policy allows, then the OOM error
 * if memory could not be brought under the limit for a `denyoom` command, for EXEC of a
 * transaction holding one, and for anything queued inside MULTI (queuing grows memory too);
 * reads, DEL and the like still run, as in Redis's processCommand.
 */
export const memoryRefusal = (ctx: EvictionCaller, spec: CommandInfo): string | undefined => {
  const result = performEvictions(ctx.server, ctx.keyspace, ctx.now, ctx)
  if (result !== "fail") return undefined
  const transaction = ctx.client.transaction
  const refused = spec.flags.includes("denyoom") ||
    (spec.name === "exec" && transaction?.queues("denyoom") === true) ||
    (transaction !== undefined && !RUN_IN_MULTI_WHEN_FULL.has(spec.name))
  return refused ? OOM : undefined
}
