/**
 * When and how often each key is used, Redis-style, for maxmemory's LRU and LFU policies and for
 * OBJECT IDLETIME / FREQ. Every key's record carries one 32-bit stamp (KeyTable's ACCESS word):
 *
 * - LRU: a 24-bit clock of seconds (wrapping after 194 days, as Redis's LRU_CLOCK does);
 * - LFU: 16 bits of minutes (when the counter was last decayed) and an 8-bit logarithmic counter
 *   that grows with probability 1 / ((counter - 5) * lfu-log-factor + 1) per access and loses one
 *   per lfu-decay-time minutes — Redis's LFULogIncr and LFUDecrAndReturn.
 *
 * One AccessClock serves all databases; batches set its time once (`setTime`).
 */
const LRU_BITS = 24
const LRU_MAX = (1 << LRU_BITS) - 1
const LFU_INIT_VAL = 5

export class AccessClock {
  /** Stamps hold LFU counters (an LFU maxmemory-policy) instead of LRU times. */
  lfu = false
  /** lfu-log-factor and lfu-decay-time (minutes). */
  logFactor = 10
  decayTime = 1
  private lruClock = 0
  private minutes = 0

  /** Sets the time (Unix ms) that new stamps record. */
  setTime(now: number): void {
    this.lruClock = Math.floor(now / 1000) & LRU_MAX
    this.minutes = Math.floor(now / 60000) & 0xffff
  }

  /** The stamp of a key just created. */
  initial(): number {
    return this.lfu ? (this.minutes << 8) | LFU_INIT_VAL : this.lruClock
  }

  /** The stamp of a key after one more access. */
  touched(stamp: number): number {
    if (!this.lfu) return this.lruClock
    let counter = this.decayed(stamp)
    if (counter < 255) {
      const base = Math.max(counter - LFU_INIT_VAL, 0)
      if (Math.random() < 1 / (base * this.logFactor + 1)) counter++
    }
    return (this.minutes << 8) | counter
  }

  /** The LRU stamp of a key last used `seconds` ago (RESTORE ... IDLETIME). */
  idleStamp(seconds: number): number {
    const at = (this.lruClock - (seconds % LRU_MAX)) % LRU_MAX
    return at < 0 ? at + LRU_MAX : at
  }

  /** The LFU stamp of a key with counter `counter` as of now (RESTORE ... FREQ). */
  frequencyStamp(counter: number): number {
    return (this.minutes << 8) | counter
  }

  /** OBJECT IDLETIME: whole seconds since the stamp (LRU). */
  idleSeconds(stamp: number): number {
    const now = this.lruClock
    return now >= stamp ? now - stamp : LRU_MAX - stamp + now
  }

  /** OBJECT FREQ: the LFU counter after decay, without counting an access. */
  decayed(stamp: number): number {
    const counter = stamp & 0xff
    const last = stamp >>> 8
    const elapsed = this.minutes >= last ? this.minutes - last : 65535 - last + this.minutes
    const periods = this.decayTime > 0 ? Math.floor(elapsed / this.decayTime) : 0
    return periods > counter ? 0 : counter - periods
  }
}
