/**
 * CLIENT PAUSE / UNPAUSE: until a time on Effect's Clock, clients' commands wait — all of them,
 * or (WRITE) those that may change the data set or replicate (writes, PUBLISH, EVAL, ..., and
 * an EXEC that would run one). A command that must wait stays parsed in its client
 * (`client.postponed`) and its connection fiber sleeps until the pause ends or is lifted
 * (Connection.ts); nothing else of that client runs meanwhile, and no fiber is started for it.
 * Key expiry and eviction are paused too, as in Redis 7.0: an expired key reads as missing but
 * is not deleted until the pause ends.
 */
import type { ClientState } from "../session/ClientState.js"

export type PauseMode = "all" | "write"

/** The end of a pause that lasts until it is lifted (FAILOVER's). */
const UNTIL_LIFTED = Number.MAX_SAFE_INTEGER

export class ClientPause {
  /** Unix ms the pause lasts until (paused while it is later than now): the later of the purposes'. */
  until = 0
  mode: PauseMode = "all"
  /** Clients whose connection waits for the pause to end. */
  readonly waiting = new Set<ClientState>()
  /** CLIENT PAUSE's end and mode. */
  private commandUntil = 0
  private commandMode: PauseMode = "all"
  /** FAILOVER holds writes until it ends, whatever CLIENT PAUSE/UNPAUSE do (Redis's PAUSE_DURING_FAILOVER). */
  private writesHeld = false

  isPaused(now: number): boolean {
    return this.until > now
  }

  /** CLIENT PAUSE: the new end and mode replace the previous ones (Redis's per-purpose pause). */
  pause(until: number, mode: PauseMode): void {
    this.commandUntil = until
    this.commandMode = mode
    this.refresh()
  }

  /** CLIENT UNPAUSE: every waiting client runs its command (FAILOVER's hold stays). */
  unpause(): void {
    this.commandUntil = 0
    this.refresh()
  }

  /** FAILOVER: writes wait until `holdWrites(false)`. */
  holdWrites(held: boolean): void {
    this.writesHeld = held
    this.refresh()
  }

  private refresh(): void {
    if (this.writesHeld) {
      this.until = UNTIL_LIFTED
      this.mode = this.commandUntil !== 0 && this.commandMode === "all" ? "all" : "write"
    } else {
      this.until = this.commandUntil
      this.mode = this.commandMode
    }
    this.wakeAll()
  }

  private wakeAll(): void {
    for (const client of this.waiting) client.wakeBlocked()
  }
}
