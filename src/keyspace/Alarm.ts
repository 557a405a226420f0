/**
 * The wake-up of a periodic task that sleeps until its next deadline instead of waking at a fixed
 * rate: under TestClock, hours of virtual time then cost a handful of wake-ups, and in a real
 * server an idle task costs nothing. Code that creates work for the task (a TTL set, a write
 * waiting for fsync) calls `request(at)`: one comparison when the task already runs by then.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

export class Alarm {
  /** The instant the sleeping task wakes; -Infinity while it runs (requests are kept for later). */
  private target = Number.NEGATIVE_INFINITY
  /** The earliest instant requested since the task last went to sleep. */
  private requested = Number.POSITIVE_INFINITY
  private wakeUp: (() => void) | undefined = undefined

  /** Asks the task to run at `at` (Unix ms on Effect's Clock; 0 for now). */
  request(at: number): void {
    if (at >= this.requested) return
    this.requested = at
    if (at < this.target) {
      const wake = this.wakeUp
      this.wakeUp = undefined
      wake?.()
    }
  }

  /**
   * Suspends until `until` (Infinity: until a request) or an earlier requested instant, on
   * Effect's Clock, but at least `minimumMillis` from now.
   */
  sleepUntil(until: number, minimumMillis = 0): Effect.Effect<void> {
    const alarm = this
    const requestArrived = Effect.callback<void>((resume) => {
      // Resumed in the scheduler, not inside the batch that made the request.
      alarm.wakeUp = () => resume(Effect.yieldNow)
      return Effect.sync(() => {
        alarm.wakeUp = undefined
      })
    })
    return Effect.gen(function*() {
      const clock = yield* Clock.Clock
      const notBefore = clock.currentTimeMillisUnsafe() + minimumMillis
      let target = until
      for (;;) {
        target = Math.max(Math.min(target, alarm.requested), notBefore)
        alarm.requested = Number.POSITIVE_INFINITY
        const now = clock.currentTimeMillisUnsafe()
        if (target <= now) return
        alarm.target = target
        yield* Number.isFinite(target)
          ? Effect.raceFirst(requestArrived, Effect.sleep(target - now))
          : requestArrived
        alarm.target = Number.NEGATIVE_INFINITY
        if (clock.currentTimeMillisUnsafe() >= target) return
      }
    })
  }
}

/**
 * Runs `step` now and then whenever it asks or is requested, forever, at most once per
 * `minimumIntervalMillis`: `step` returns the instant it wants to run next.
 */
export const runOnAlarm = (alarm: Alarm, step: Effect.Effect<number>, minimumIntervalMillis = 0): Effect.Effect<never> =>
  Effect.forever(Effect.flatMap(step, (next) => alarm.sleepUntil(next, minimumIntervalMillis)))
