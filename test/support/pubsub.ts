/**
 * Reading pub/sub traffic in tests without timing: `drain` sends `PING <marker>` and returns
 * everything the connection received before the PING's answer. A server queues the messages a
 * command publishes before that command's reply leaves, so once the publisher has its reply, a
 * drain of the subscriber sees every message of it, on Redis and on our server alike.
 */
import { RawClient } from "./RawClient.js"
import type { Reply } from "./RespReader.js"

const MARKER = "pubsub-test-marker"

const isMarker = (reply: Reply): boolean =>
  (reply.kind === "bulk" && reply.value === MARKER) ||
  (reply.kind === "array" && reply.value?.length === 2 && reply.value[1].kind === "bulk" &&
    reply.value[1].value === MARKER)

/** Everything `client` received before the answer to a PING sent now. */
export const drain = async (client: RawClient, timeoutMs = 10_000): Promise<Array<Reply>> => {
  client.send("PING", MARKER)
  const received: Array<Reply> = []
  for (;;) {
    const reply = await client.read(timeoutMs)
    if (isMarker(reply)) return received
    received.push(reply)
  }
}

/** Sends a command and returns its replies (and pushes) up to a PING marker. */
export const callAll = async (client: RawClient, ...args: ReadonlyArray<string>): Promise<Array<Reply>> => {
  client.send(...args)
  return drain(client)
}

export const bulk = (value: string | null): Reply => ({ kind: "bulk", value })
export const int = (value: number | string): Reply => ({ kind: "integer", value: String(value) })
export const arr = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "array", value: items })
export const err = (value: string): Reply => ({ kind: "error", value })
export const simple = (value: string): Reply => ({ kind: "simple", value })

export const subscription = (kind: string, name: string | null, count: number): Reply =>
  arr(bulk(kind), bulk(name), int(count))
export const message = (channel: string, payload: string): Reply => arr(bulk("message"), bulk(channel), bulk(payload))
export const pmessage = (pattern: string, channel: string, payload: string): Reply =>
  arr(bulk("pmessage"), bulk(pattern), bulk(channel), bulk(payload))

/** A connection that records every reply and push as it arrives (ioredis-free event listening). */
export class Recorder {
  readonly received: Array<Reply> = []
  private stopped = false
  private readonly loop: Promise<void>

  private constructor(readonly client: RawClient) {
    this.loop = (async () => {
      while (!this.stopped && !client.closed) {
        try {
          this.received.push(await client.read(60_000))
        } catch {
          return
        }
      }
    })()
  }

  static async connect(port: number): Promise<Recorder> {
    return new Recorder(await RawClient.connect(port))
  }

  send(...args: ReadonlyArray<string>): void {
    this.client.send(...args)
  }

  /** Waits until `done` holds for what was received (rejects after `timeoutMs`). */
  async until(done: (received: ReadonlyArray<Reply>) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!done(this.received)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${this.received.length} received)`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  close(): Promise<void> {
    this.stopped = true
    this.client.close()
    return this.loop
  }
}
