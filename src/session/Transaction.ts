/**
 * A client's transaction between MULTI and EXEC: the commands queued so far, and whether one was
 * refused while queuing (then EXEC answers EXECABORT and runs nothing). Plain data on the client;
 * src/commands/transactions.ts runs it.
 */
import type { CommandFlag, CommandInfo } from "../protocol/CommandInfo.js"

export interface QueuedCommand {
  readonly spec: CommandInfo
  readonly argv: ReadonlyArray<string>
}

/** What Redis counts per queued argument besides its bytes (a pointer), for CLIENT LIST's multi-mem. */
const ARGUMENT_OVERHEAD = 8

export class Transaction {
  readonly commands: Array<QueuedCommand> = []
  /** A command was refused while queuing (Redis's CLIENT_DIRTY_EXEC). */
  aborted = false
  /** Bytes of the queued arguments plus a pointer each (CLIENT LIST's multi-mem). */
  memory = 0

  queue(spec: CommandInfo, argv: ReadonlyArray<string>): void {
    this.commands.push({ spec, argv })
    for (const arg of argv) this.memory += arg.length + ARGUMENT_OVERHEAD
  }

  /**
   * Whether a queued command has `flag` (Redis's mstate.cmd_flags): EXEC of a transaction that
   * writes is refused under MISCONF, and of one that may grow memory under OOM.
   */
  queues(flag: CommandFlag): boolean {
    return this.commands.some((queued) => queued.spec.flags.includes(flag))
  }
}
