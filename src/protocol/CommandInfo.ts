/**
 * What a Redis command looks like from outside: its name, arity, flags, key specs, ACL categories
 * and docs, as `COMMAND INFO` / `COMMAND DOCS` report them and as arity errors, key extraction,
 * ACL and client tracking read them. Plain data; the command contract (src/commands/Command.ts)
 * adds what runs it.
 */

/** Redis's command flags, as `COMMAND INFO` spells them. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "no_multi"
  | "no_async_loading"
  | "allow_busy"
  | "movablekeys"
  | "asking"

/** How a command uses a key, as Redis 7's key specs (and COMMAND GETKEYSANDFLAGS) spell it. */
export type KeyFlag =
  | "RO"
  | "RW"
  | "OW"
  | "RM"
  | "access"
  | "update"
  | "insert"
  | "delete"
  | "not_key"
  | "incomplete"
  | "variable_flags"

/**
 * A Redis 7 key spec: the search for keys begins at argument `index`, then finds them either as
 * a range (`lastKey`: 0 for one key, >0 relative to the start, <0 from the end of argv; every
 * `keyStep`-th argument; `limit` 0) or after a count (`keyNumIndex` places the count relative to
 * the start, the keys begin `firstKey` after it).
 */
export interface KeySpec {
  readonly flags: ReadonlyArray<KeyFlag>
  /** Redis's note on the spec (COMMAND INFO shows it). */
  readonly notes?: string
  readonly index: number
  /**
   * How the search begins when not at `index`: after the first `keyword` from argument
   * `startFrom` on (GEORADIUS's STORE, XREAD's STREAMS), or "unknown" (SORT's BY/GET/STORE: only the command's
   * own finder places those keys).
   */
  readonly begin?:
    | { readonly kind: "keyword"; readonly keyword: string; readonly startFrom: number }
    | { readonly kind: "unknown" }
  readonly find:
    | { readonly kind: "range"; readonly lastKey: number; readonly keyStep: number; readonly limit: number }
    | { readonly kind: "keynum"; readonly keyNumIndex: number; readonly firstKey: number; readonly keyStep: number }
    | { readonly kind: "unknown" }
}

/** A key found in a command's arguments: its position in argv and how the command uses it. */
export interface KeyReference {
  readonly position: number
  readonly flags: ReadonlyArray<KeyFlag>
}

/** A command as COMMAND INFO and COMMAND DOCS describe it. */
export interface CommandInfo {
  /** Lower case; a subcommand is `container|sub`, e.g. `client|setname`. */
  readonly name: string
  /** Redis arity: N means exactly N arguments including the name, -N means at least N. */
  readonly arity: number
  readonly flags: ReadonlyArray<CommandFlag>
  /** Key positions (1-based; 0 when the command takes no keys; lastKey -1 means "to the end"). */
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  /** COMMAND DOCS: group (string, generic, connection, server, ...), summary, since, complexity. */
  readonly group: string
  readonly summary: string
  readonly since: string
  readonly complexity?: string
  /** COMMAND DOCS's doc_flags: a command kept for compatibility, or one for servers' own use. */
  readonly docFlags?: ReadonlyArray<"deprecated" | "syscmd">
  /** For a deprecated command: the version that deprecated it and what replaces it (COMMAND DOCS). */
  readonly deprecatedSince?: string
  readonly replacedBy?: string
  /** ACL categories without the '@' (COMMAND INFO shows them); derived from flags when absent. */
  readonly aclCategories?: ReadonlyArray<string>
  /** COMMAND INFO's tips (`nondeterministic_output`, `request_policy:all_shards`, ...). */
  readonly tips?: ReadonlyArray<string>
  /**
   * Where the keys are and how the command uses them (COMMAND INFO, COMMAND GETKEYS). When
   * absent, one spec without flags is made from the key positions above.
   */
  readonly keySpecs?: ReadonlyArray<KeySpec>
  /**
   * Redis's own key finder, for commands that have one: those whose keys follow a count
   * (flag movablekeys), used when the key specs cannot place the keys (a numkeys they cannot
   * read), and SET, whose key's flags depend on its arguments (variable_flags). See key-specs.ts.
   */
  readonly getKeys?: (argv: ReadonlyArray<string>) => ReadonlyArray<KeyReference>
  /** A container (CLIENT, CONFIG, ...) has subcommands; other commands run. */
  readonly subcommands?: ReadonlyArray<CommandInfo>
}
