/** One CONFIG GET / CONFIG SET parameter: how it reads and how a new value applies. */
import type { RuntimeConfig } from "./RuntimeConfig.js"

/** What a getter may need besides the configuration: the port actually bound. */
export interface ListeningServer {
  readonly tcpPort: number
}

export interface Change {
  readonly apply: (config: RuntimeConfig) => void
  /** Set when the value parses but cannot take effect (Redis's apply step fails). */
  readonly applyError?: string
}

export interface ConfigParameter {
  /** Lower case, as Redis spells it. */
  readonly name: string
  /** Immutable and protected parameters refuse CONFIG SET before their value is looked at. */
  readonly access: "mutable" | "immutable" | "protected"
  readonly get: (config: RuntimeConfig, server: ListeningServer) => string
  /** The change `value` makes, or Redis's reason (the text after "CONFIG SET failed ... - "). */
  readonly set: (value: string, config: RuntimeConfig, server: ListeningServer) => Change | string
  /** Redis's HIDDEN_CONFIG (test hooks): CONFIG GET shows it when named, never for a pattern. */
  readonly hidden?: boolean
}
