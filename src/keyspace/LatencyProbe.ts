/**
 * How lower layers (active expiry, eviction, the append-only file) report how long a phase took
 * to the latency monitor (LATENCY LATEST / HISTORY / DOCTOR) without depending on it: the
 * server's Observability is one. Phases are timed only while `latency-monitor-threshold` is on.
 */
export interface LatencyProbe {
  /** Whether the monitor is on (latency-monitor-threshold > 0): time phases only then. */
  readonly monitoring: boolean
  /** Microseconds on the server's clock (Effect's Clock). */
  micros(): number
  /** A phase named `event` that began at `startedMicros` ended now: a sample if over the threshold. */
  phaseEnded(event: string, startedMicros: number): void
}
