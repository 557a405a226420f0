/**
 * What replication takes from the server it runs in (the runtime provides them, see
 * src/server/ReplicationRuntime.ts), and its traffic counters.
 */
import * as Effect from "effect/Effect"
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import type { RdbLoadPace } from "../persistence/rdb/RdbLoader.js"
import type { ClientState } from "../session/ClientState.js"

/** Runs the primary's stream on the keyspace: the server's dispatch, as the AOF loader uses it. */
export interface MasterStreamExecutor {
  /** One command, in the primary's client session (its SELECTed database): the error it answered, if any. */
  run(argv: ReadonlyArray<string>, now: number): string | undefined
  /** After a chunk of commands: what they logged goes on (to the AOF). */
  endBatch(): void
  /** Before a snapshot loads: every database emptied (WATCHes touched, as FLUSHALL does). */
  flushAll(now: number): void
  /** The primary's session starts over in database `db` (its snapshot's repl-stream-db), no transaction. */
  resetSession(db: number): void
  /** The database the primary's session has SELECTed (repl-stream-db of the snapshots we send on). */
  currentDb(): number
  /** A snapshot was loaded: the AOF, if on, is rewritten to hold it (its log holds none of it). */
  afterFullSync(now: number): void
  /** The function libraries' code, for the snapshots we send. */
  functionLibraries(): ReadonlyArray<string>
  /** A snapshot's libraries replace ours (FUNCTION FLUSH, then each loaded). */
  replaceFunctionLibraries(codes: ReadonlyArray<string>): void
}

/** INFO's total_net_repl_input_bytes / total_net_repl_output_bytes: bytes from our primary, to our replicas. */
export interface ReplicationTraffic {
  inputBytes: number
  outputBytes: number
}

export interface ReplicationDeps {
  readonly keyspace: Keyspace
  readonly config: RuntimeConfig
  readonly executor: MasterStreamExecutor
  /** Runs a background job in the server's scope. */
  readonly fork: (job: Effect.Effect<void>) => void
  readonly now: () => number
  /** Our own listening port (REPLCONF listening-port as a replica). */
  readonly tcpPort: () => number
  /** The RDB's AUX fields. */
  readonly auxFields: (now: number) => ReadonlyArray<readonly [string, string]>
  /** Ends a WAIT: hands the blocked client its reply. */
  readonly unblock: (client: ClientState, reply: Buffer) => void
  /** A client entry for the link to the primary (CLIENT LIST, CLIENT KILL TYPE master). */
  readonly registerMasterClient: (address: string, localAddress: string, kill: () => void) => ClientState
  readonly unregisterClient: (client: ClientState) => void
  readonly log: (level: "info" | "warning", message: string) => void
  /** FAILOVER's own pause of writes (apart from CLIENT PAUSE's). */
  readonly holdWrites: (held: boolean) => void
}

/**
 * Lets the event loop serve sockets between two slices of a transfer (a macrotask: `yieldNow`
 * alone resumes before any I/O runs, and a whole snapshot then went out as one 1.4 s pause).
 */
export const yieldToEventLoop: Effect.Effect<void> = Effect.callback<void>((resume) => {
  const immediate = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(immediate))
})

/** A replica loading its primary's snapshot (INFO's loading_* fields; commands get -LOADING). */
export interface LoadingProgress {
  readonly startedAt: number
  readonly totalBytes: number
  readonly pace: RdbLoadPace
}
