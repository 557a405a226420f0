/**
 * CLIENT PAUSE / UNPAUSE: until a time on Effect's Clock, clients' commands wait — all of them,
 * or (WRITE) those that may change the data set or replicate (writes, PUBLISH, EVAL, ..., and
 * an EXEC that would run one). A command that must wait stays parsed in its client
 * (`client.postponed`) and its connection fiber sleeps until the pause ends or is lifted
 * (Connection.ts); nothing else of that client runs meanwhile, and no fiber is started for it.
 * Key expiry and eviction are paused too, as in Redis 7.0: an expired key reads as missing but
 * is not deleted until the pause ends.
 */
import type { ClientState } from "../server/ClientState.js"

export type PauseMode = "all" | "write"

export class ClientPause {
  /** Unix ms the pause lasts until (paused while it is later than now). */
  until = 0
  mode: PauseMode = "all"
  /** Clients whose connection waits for the pause to end. */
  readonly waiting = new Set<ClientState>()

  isPaused(now: number): boolean {
    return this.until > now
  }

  /** CLIENT PAUSE: the new end and mode replace the previous ones (Redis's per-purpose pause). */
  pause(until: number, mode: PauseMode): void {
    this.until = until
    this.mode = mode
    this.wakeAll()
  }

  /** CLIENT UNPAUSE: every waiting client runs its command. */
  unpause(): void {
    this.until = 0
    this.wakeAll()
  }

  private wakeAll(): void {
    for (const client of this.waiting) client.wakeBlocked()
  }
}
