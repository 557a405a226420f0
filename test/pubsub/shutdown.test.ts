/**
 * Shutdown with subscribers: like every connection they are drained, not cut. Once the drain has
 * begun nothing more is delivered; what was published before still reaches them, then the socket
 * is closed.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { encodeCommand, RawClient } from "../support/RawClient.js"
import { readReply, type Reply } from "../support/RespReader.js"
import { callAll, int, message } from "../support/pubsub.js"
import { startRedfiber } from "../support/servers.js"

const allReplies = (bytes: Buffer): Array<Reply> => {
  const replies: Array<Reply> = []
  for (let at = 0; at < bytes.length;) {
    const next = readReply(bytes, at)
    if (next === undefined) throw new Error(`an incomplete reply at byte ${at} of ${bytes.length}`)
    replies.push(next[0])
    at = next[1]
  }
  return replies
}

describe("shutdown with subscribers", () => {
  it("flushes what was published before the drain, delivers nothing after, then closes", async () => {
    const server = await startRedfiber()
    const [publisher, reader, sleeper] = await Promise.all([
      RawClient.connect(server.port),
      RawClient.connect(server.port),
      RawClient.connect(server.port)
    ])
    try {
      await callAll(reader, "SUBSCRIBE", "news")
      await callAll(sleeper, "PSUBSCRIBE", "n*")
      // The sleeper does not read: ~3 MB wait for it in its socket and outbox.
      sleeper.socket.pause()
      const payloads = Array.from({ length: 300 }, (_, i) => `${i}:${"p".repeat(10_000)}`)
      publisher.write(Buffer.concat(payloads.map((payload) => encodeCommand(["PUBLISH", "news", payload]))))
      for (let i = 0; i < payloads.length; i++) expect(await publisher.read()).toEqual(int(2))

      const drained = Effect.runPromise(server.server.drain)
      const deadline = Date.now() + 10_000
      while (!server.server.state.pubsub.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2))
      expect(await Effect.runPromise(server.server.pubsub.publish("news", "too late"))).toBe(0)

      await reader.waitClosed()
      sleeper.socket.resume()
      await sleeper.waitClosed(20_000)
      expect(allReplies(reader.pending)).toEqual(payloads.map((payload) => message("news", payload)))
      expect(allReplies(sleeper.pending)).toEqual(
        payloads.map((payload) => ({
          kind: "array",
          value: [
            { kind: "bulk", value: "pmessage" },
            { kind: "bulk", value: "n*" },
            { kind: "bulk", value: "news" },
            { kind: "bulk", value: payload }
          ]
        }))
      )
      const summary = await drained
      expect(summary.connections).toBe(3)
      expect(summary.interrupted).toBe(0)
    } finally {
      for (const client of [publisher, reader, sleeper]) client.close()
      await server.stop()
    }
  })
})
