/**
 * Dispatch reads the command table: unknown commands and subcommands, arity errors with Redis's
 * texts, and a command that throws (a defect) answered with an error while its batch goes on.
 */
import { describe, expect, it } from "@effect/vitest"
import { command, type CommandContext, type CommandSpec } from "../../src/commands/Command.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"
import { detachedServerState } from "../../src/commands/ServerState.js"

const docs = { group: "test", summary: "test command", since: "0.0.0" }
const table: ReadonlyArray<CommandSpec> = [
  command({ name: "hello1", arity: 2, flags: [], ...docs, run: (ctx, argv) => ctx.out.bulk(argv[1]) }),
  command({ name: "atleast2", arity: -2, flags: [], ...docs, run: (ctx) => ctx.out.ok() }),
  command({
    name: "boom",
    arity: 1,
    flags: [],
    ...docs,
    run: (ctx) => {
      ctx.out.arrayHeader(3) // a partial reply, then a defect
      throw new Error("kaput")
    }
  }),
  command({
    name: "box",
    arity: -2,
    flags: [],
    ...docs,
    subcommands: [command({ name: "box|open", arity: 3, flags: [], ...docs, run: (ctx) => ctx.out.ok() })]
  })
]

const makeContext = (): CommandContext => {
  const keyspace = new Keyspace(16)
  const server = detachedServerState(new Map(table.map((spec) => [spec.name, spec])))
  return {
    keyspace,
    db: keyspace.databases[0],
    now: 0,
    out: new ReplyWriter(),
    client: new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {}),
    server
  }
}

const run = (...argvs: Array<Array<string>>): string => {
  const ctx = makeContext()
  for (const argv of argvs) executeCommand(ctx, argv)
  return ctx.out.take().toString("latin1")
}

describe("dispatch", () => {
  it("finds commands by any case and checks arity as Redis does", () => {
    expect(run(["HELLO1", "x"], ["hello1"], ["hello1", "a", "b"])).toBe(
      "$1\r\nx\r\n" +
        "-ERR wrong number of arguments for 'hello1' command\r\n" +
        "-ERR wrong number of arguments for 'hello1' command\r\n"
    )
    expect(run(["atleast2"], ["AtLeast2", "a", "b", "c"])).toBe(
      "-ERR wrong number of arguments for 'atleast2' command\r\n+OK\r\n"
    )
  })

  it("names unknown commands with up to 128 bytes of their arguments", () => {
    expect(run(["nope", "a", "b c"])).toBe("-ERR unknown command 'nope', with args beginning with: 'a' 'b c' \r\n")
    expect(run(["nope"])).toBe("-ERR unknown command 'nope', with args beginning with: \r\n")
    const long = run(["nope", "x".repeat(200), "y"])
    expect(long).toBe(`-ERR unknown command 'nope', with args beginning with: '${"x".repeat(128)}' \r\n`)
  })

  it("resolves subcommands of containers", () => {
    expect(run(["BOX", "OPEN", "lid"], ["box", "shut"], ["box", "open"], ["box"])).toBe(
      "+OK\r\n" +
        "-ERR unknown subcommand 'shut'. Try BOX HELP.\r\n" +
        "-ERR wrong number of arguments for 'box|open' command\r\n" +
        "-ERR wrong number of arguments for 'box' command\r\n"
    )
  })

  it("turns a defect into one error reply and keeps going", () => {
    expect(run(["hello1", "before"], ["boom"], ["hello1", "after"])).toBe(
      "$6\r\nbefore\r\n-ERR internal error in 'boom': kaput\r\n$5\r\nafter\r\n"
    )
  })
})
