/**
 * What the in-process micro-benchmarks (batch-micro.ts, collections-micro.ts) share: a command
 * context with the real command table, chunks of pipelined commands, and the loop that runs them
 * as src/server/Connection.ts runs a batch, timed in wall and CPU time.
 */
import type { CommandContext } from "../../src/commands/Command.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { detachedServerState } from "../../src/commands/ServerState.js"
import { commandTable } from "../../src/commands/table.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ProtocolError, RequestParser } from "../../src/protocol/Parser.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"

/** A context as a connection's, with the default user and a fresh keyspace. */
export const makeContext = (): CommandContext => {
  const keyspace = new Keyspace(16)
  const server = detachedServerState(commandTable)
  const client = new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
  client.user = server.acl.defaultUser
  return { keyspace, db: keyspace.databases[0], now: Date.now(), out: new ReplyWriter(), client, server }
}

let seed = 12345
/** A repeatable pseudo-random integer below `below`. */
export const randomInt = (below: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
  return seed % below
}

export const encodeCommand = (argv: ReadonlyArray<string>): string =>
  `*${argv.length}\r\n` + argv.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("")

/** `count` buffers, each holding `pipeline` commands made by `makeCommand`. */
export const makeChunks = (
  makeCommand: () => ReadonlyArray<string>,
  count: number,
  pipeline: number
): Array<Buffer> =>
  Array.from({ length: count }, () => {
    let text = ""
    for (let i = 0; i < pipeline; i++) text += encodeCommand(makeCommand())
    return Buffer.from(text, "latin1")
  })

export const median = (values: ReadonlyArray<number>): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Runs chunks of commands through one parser against one context, as a connection's batches. */
export class BatchRunner {
  readonly parser: RequestParser
  replyBytes = 0
  /** CPU time (user + system) per command of the last `run`: steadier than wall time on a loaded machine. */
  lastCpuNs = 0

  constructor(readonly ctx: CommandContext) {
    this.parser = new RequestParser(ctx.server.config)
  }

  /** Runs `chunkCount` chunks (parsing only, with `parseOnly`); wall-clock ns per command. */
  run(chunks: ReadonlyArray<Buffer>, chunkCount: number, commandsPerChunk: number, parseOnly = false): number {
    const { ctx, parser } = this
    const started = process.hrtime.bigint()
    const cpuStarted = process.cpuUsage()
    for (let n = 0; n < chunkCount; n++) {
      parser.feed(chunks[n % chunks.length])
      // As Connection.ts does around each batch (one clock read for the batch's first command).
      ctx.server.observability.beginBatch(ctx)
      for (;;) {
        const argv = parser.next()
        if (argv === undefined) break
        if (argv instanceof ProtocolError) throw new Error(argv.message)
        if (!parseOnly) executeCommand(ctx, argv)
      }
      ctx.server.observability.endBatch()
      this.replyBytes += ctx.out.take().length
    }
    const elapsed = Number(process.hrtime.bigint() - started)
    const cpu = process.cpuUsage(cpuStarted)
    this.lastCpuNs = ((cpu.user + cpu.system) * 1000) / (chunkCount * commandsPerChunk)
    return elapsed / (chunkCount * commandsPerChunk)
  }

  /** One command, run for its effect (filling the keyspace). */
  command(argv: ReadonlyArray<string>): void {
    this.run([Buffer.from(encodeCommand(argv), "latin1")], 1, 1)
  }
}
