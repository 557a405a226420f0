/**
 * The latency monitor's events (LATENCY LATEST / HISTORY / RESET / GRAPH): for each event, the
 * last 160 seconds that had a spike over `latency-monitor-threshold` (one sample per second, the
 * worst of that second) and the worst spike ever, as Redis's latency.c keeps them.
 */

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
const HISTORY_LENGTH = 160

export interface LatencySample {
  /** Unix seconds. */
  readonly time: number
  /** Milliseconds. */
  latency: number
}

export class LatencySeries {
  /** Oldest first. */
  readonly samples: Array<LatencySample> = []
  max = 0

  add(time: number, latency: number): void {
    if (latency > this.max) this.max = latency
    const last = this.samples[this.samples.length - 1]
    if (last !== undefined && last.time === time) {
      if (latency > last.latency) last.latency = latency
      return
    }
    this.samples.push({ time, latency })
    if (this.samples.length > HISTORY_LENGTH) this.samples.shift()
  }
}

export class LatencyEvents {
  /** In the order events first happened. */
  readonly series = new Map<string, LatencySeries>()

  add(event: string, time: number, latency: number): void {
    let series = this.series.get(event)
    if (series === undefined) {
      series = new LatencySeries()
      this.series.set(event, series)
    }
    series.add(time, latency)
  }

  /** Forgets the named events (all of them when none is named); returns how many there were. */
  reset(events: ReadonlyArray<string>): number {
    if (events.length === 0) {
      const count = this.series.size
      this.series.clear()
      return count
    }
    let count = 0
    for (const event of events) if (this.series.delete(event)) count++
    return count
  }
}

/** Columns of LATENCY GRAPH (Redis's LATENCY_GRAPH_COLS) and rows of its sparkline. */
const GRAPH_COLUMNS = 80
const GRAPH_ROWS = 4
/** Sparkline characters for the three steps within a row, filled style. */
const FILL_CHARSET = "_o#"

/** "12s", "3m", "5h", "2d": how long ago a sample was, as the graph labels it. */
const ago = (elapsed: number): string =>
  elapsed < 60
    ? `${elapsed}s`
    : elapsed < 3600
    ? `${Math.trunc(elapsed / 60)}m`
    : elapsed < 86400
    ? `${Math.trunc(elapsed / 3600)}h`
    : `${Math.trunc(elapsed / 86400)}d`

interface SparkSample {
  readonly value: number
  readonly label: string
}

/** One block of up to 80 columns: the filled sparkline rows, then the labels written downwards. */
const renderRange = (samples: ReadonlyArray<SparkSample>, min: number, max: number): string => {
  const steps = FILL_CHARSET.length * GRAPH_ROWS
  const range = max - min === 0 ? 1 : max - min
  let output = ""
  for (let row = 0;; row++) {
    let any = false
    let chars = ""
    for (const sample of samples) {
      let step = Math.trunc(Math.trunc((sample.value - min) * steps) / range)
      if (step < 0) step = 0
      if (step >= steps) step = steps - 1
      let char = " "
      if (row < GRAPH_ROWS) {
        any = true
        const index = step - (GRAPH_ROWS - row - 1) * FILL_CHARSET.length
        if (index >= 0 && index < FILL_CHARSET.length) char = FILL_CHARSET[index]
        else if (index >= FILL_CHARSET.length) char = "|"
      } else if (row - GRAPH_ROWS < 1) {
        // One blank line between the graph and the labels.
        any = true
        chars = " ".repeat(samples.length)
        break
      } else {
        const position = row - GRAPH_ROWS - 1
        if (sample.label.length > position) {
          any = true
          char = sample.label[position]
        }
      }
      chars += char
    }
    if (!any) return output
    output += `${chars}\n`
  }
}

/** LATENCY GRAPH's text for one event. */
export const latencyGraph = (event: string, series: LatencySeries, nowSeconds: number): string => {
  const samples: Array<SparkSample> = []
  let min = 0
  let max = 0
  for (const sample of series.samples) {
    if (samples.length === 0) min = max = sample.latency
    else {
      if (sample.latency > max) max = sample.latency
      if (sample.latency < min) min = sample.latency
    }
    samples.push({ value: sample.latency, label: ago(nowSeconds - sample.time) })
  }
  let graph = `${event} - high ${max} ms, low ${min} ms (all time high ${series.max} ms)\n${"-".repeat(GRAPH_COLUMNS)}\n`
  for (let start = 0; start < samples.length; start += GRAPH_COLUMNS) {
    if (start !== 0) graph += "\n"
    graph += renderRange(samples.slice(start, start + GRAPH_COLUMNS), min, max)
  }
  return graph
}
