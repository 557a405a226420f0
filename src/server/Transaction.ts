/**
 * A client's transaction between MULTI and EXEC: the commands queued so far, and whether one was
 * refused while queuing (then EXEC answers EXECABORT and runs nothing). Plain data on the client;
 * src/commands/transactions.ts runs it.
 */
import type { CommandSpec } from "../commands/Command.js"

export interface QueuedCommand {
  readonly spec: CommandSpec
  readonly argv: ReadonlyArray<string>
}

/** What Redis counts per queued argument besides its bytes (a pointer), for CLIENT LIST's multi-mem. */
const ARGUMENT_OVERHEAD = 8

export class Transaction {
  readonly commands: Array<QueuedCommand> = []
  /** A command was refused while queuing (Redis's CLIENT_DIRTY_EXEC). */
  aborted = false
  /** Some queued command writes: EXEC counts as a write (refused under MISCONF, as in Redis). */
  writes = false
  /** Some queued command may grow memory: EXEC is then refused for OOM (Redis's mstate.cmd_flags). */
  denyoom = false
  /** Bytes of the queued arguments plus a pointer each (CLIENT LIST's multi-mem). */
  memory = 0

  queue(spec: CommandSpec, argv: ReadonlyArray<string>): void {
    this.commands.push({ spec, argv })
    if (spec.flags.includes("write")) this.writes = true
    if (spec.flags.includes("denyoom")) this.denyoom = true
    for (const arg of argv) this.memory += arg.length + ARGUMENT_OVERHEAD
  }
}
