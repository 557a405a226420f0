/**
 * Exact RESP3 bytes of commands, without a connection:
 * - `ourResp3Replies` runs them in process on a fresh keyspace with the real command table and a
 *   ReplyWriter set to protocol 3, which is all HELLO 3 changes for a connection;
 * - `redisResp3Replies` sends them to a real redis-server after HELLO 3 and cuts the bytes into
 *   one reply per command;
 * - `describeResp3Replies` expects given bytes from both, for a table of commands.
 */
import { describe, expect, it } from "@effect/vitest"
import * as net from "node:net"
import type { CommandContext } from "../../src/commands/Command.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { commandTable } from "../../src/commands/table.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"
import { detachedServerState } from "../../src/commands/ServerState.js"
import { encodeCommand } from "./RawClient.js"
import { hasRealRedis, startRealRedis } from "./servers.js"

/** Runs `commands` in process on a fresh keyspace, the reply writer in `protocol`; each reply's bytes. */
export const ourReplies = (protocol: number, commands: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const keyspace = new Keyspace(16)
  const out = new ReplyWriter()
  out.protocol = protocol
  const ctx: CommandContext = {
    keyspace,
    db: keyspace.databases[0],
    now: Date.now(),
    out,
    client: new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {}),
    server: detachedServerState(commandTable)
  }
  return commands.map((argv) => {
    executeCommand(ctx, argv)
    return out.take().toString("latin1")
  })
}

export const ourResp3Replies = (commands: ReadonlyArray<ReadonlyArray<string>>): Array<string> => ourReplies(3, commands)

/** Where the RESP3 value starting at `pos` ends, or undefined when it is not complete yet. */
export const valueEnd = (text: string, pos: number): number | undefined => {
  const lf = text.indexOf("\r\n", pos)
  if (lf < 0) return undefined
  const line = text.slice(pos + 1, lf)
  const next = lf + 2
  switch (text[pos]) {
    case "$":
    case "=":
    case "!": {
      const length = Number(line)
      if (length < 0) return next
      return text.length >= next + length + 2 ? next + length + 2 : undefined
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const count = Number(line) * (text[pos] === "%" || text[pos] === "|" ? 2 : 1)
      let at: number | undefined = next
      for (let i = 0; i < count && at !== undefined; i++) at = valueEnd(text, at)
      return at
    }
    default:
      return next
  }
}

export const redisResp3Replies = (port: number, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<string>> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1")
    let received = ""
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no complete replies from redis-server: ${JSON.stringify(received.slice(0, 200))}`))
    }, 5000)
    socket.on("error", reject)
    socket.on("connect", () => socket.write(Buffer.concat([["HELLO", "3"], ...commands].map(encodeCommand))))
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1")
      const replies: Array<string> = []
      let at: number | undefined = valueEnd(received, 0)
      while (at !== undefined && replies.length < commands.length) {
        const end = valueEnd(received, at)
        if (end === undefined) return
        replies.push(received.slice(at, end))
        at = end
      }
      if (at === undefined || replies.length < commands.length) return
      clearTimeout(timer)
      socket.destroy()
      resolve(replies)
    })
  })

/** Commands run in order on one fresh keyspace, each with the exact RESP3 bytes expected. */
export type Resp3Cases = ReadonlyArray<readonly [command: ReadonlyArray<string>, reply: string]>

/** `cases` against our commands in process and against a real Redis 7 after HELLO 3. */
export const describeResp3Replies = (name: string, cases: Resp3Cases): void => {
  describe(name, () => {
    const commands = cases.map(([args]) => args)
    const expected = cases.map(([args, reply]) => `${args.join(" ")} -> ${JSON.stringify(reply)}`)
    const transcript = (replies: ReadonlyArray<string>) =>
      cases.map(([args], i) => `${args.join(" ")} -> ${JSON.stringify(replies[i])}`)

    it("are spelled as Redis 7.0 spells them by our commands", () => {
      expect(transcript(ourResp3Replies(commands))).toEqual(expected)
    })

    it.skipIf(!hasRealRedis)("are what real Redis 7 sends after HELLO 3", async () => {
      const running = await startRealRedis()
      try {
        expect(transcript(await redisResp3Replies(running.port, commands))).toEqual(expected)
      } finally {
        await running.stop()
      }
    })
  })
}
