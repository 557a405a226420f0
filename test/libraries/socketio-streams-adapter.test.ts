/**
 * @socket.io/redis-streams-adapter, unchanged, on real Redis 7 and on redfiber with the same
 * expectations: two socket.io servers (ephemeral ports) share one Redis through its stream
 * (XADD MAXLEN ~ to publish, XREAD BLOCK to poll, one reader connection per server); a client on
 * each. A broadcast from one server reaches the clients of the other, rooms select across
 * servers, and server-side emits and fetchSockets cross over. Run once with ioredis clients and
 * once with node-redis clients (the adapter speaks to each differently).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { createAdapter } from "@socket.io/redis-streams-adapter"
import { Redis } from "ioredis"
import { createServer, type Server as HttpServer } from "node:http"
import type { AddressInfo } from "node:net"
import { createClient } from "redis"
import { Server } from "socket.io"
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client"
import type { RunningServer } from "../support/servers.js"
import { targets, waitUntil } from "./targets.js"

interface Node {
  readonly io: Server
  readonly http: HttpServer
  readonly url: string
  readonly close: () => Promise<void>
}

type Flavour = "ioredis" | "node-redis"

const startNode = async (port: number, flavour: Flavour): Promise<Node> => {
  let redis: unknown
  let closeRedis: () => Promise<void>
  if (flavour === "ioredis") {
    const client = new Redis({ port, lazyConnect: true })
    await client.connect()
    redis = client
    closeRedis = async () => client.disconnect()
  } else {
    const client = createClient({ socket: { host: "127.0.0.1", port } })
    await client.connect()
    redis = client
    closeRedis = async () => void (await client.quit())
  }
  const http = createServer()
  const io = new Server(http, {
    adapter: createAdapter(redis, { blockTimeInMs: 200, heartbeatInterval: 200, heartbeatTimeout: 2000 })
  })
  io.on("connection", (socket) => {
    const room = socket.handshake.query.room
    if (typeof room === "string") void socket.join(room)
    socket.emit("joined", room)
  })
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
  return {
    io,
    http,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()))
      await closeRedis()
    }
  }
}

/** A client of `node` in `room`, resolved once the server has put it in its room. */
const connectTo = (node: Node, room: string): Promise<ClientSocket> =>
  new Promise((resolve, reject) => {
    const socket = connectClient(node.url, { transports: ["websocket"], query: { room }, reconnection: false })
    socket.once("joined", () => resolve(socket))
    socket.once("connect_error", reject)
  })

/** Everything `socket` receives, by event name. */
const recorder = (socket: ClientSocket) => {
  const seen: Array<[string, unknown]> = []
  socket.onAny((event: string, value: unknown) => seen.push([event, value]))
  return seen
}

for (const target of targets) {
  for (const flavour of ["ioredis", "node-redis"] as const) {
    describe(`socket.io redis-streams-adapter (${flavour}) on ${target.name}`, () => {
      let server: RunningServer
      let one: Node
      let two: Node
      const clients: Array<ClientSocket> = []

      beforeAll(async () => {
        server = await target.start()
        one = await startNode(server.port, flavour)
        two = await startNode(server.port, flavour)
      })
      afterAll(async () => {
        for (const client of clients) client.disconnect()
        await one?.close()
        await two?.close()
        await server?.stop()
      })

      it("broadcasts across servers, by room, with server-side emits and fetchSockets", async () => {
        const red1 = await connectTo(one, "red")
        const blue2 = await connectTo(two, "blue")
        const red2 = await connectTo(two, "red")
        clients.push(red1, blue2, red2)
        const [seenRed1, seenBlue2, seenRed2] = [red1, blue2, red2].map(recorder) as [
          Array<[string, unknown]>, Array<[string, unknown]>, Array<[string, unknown]>
        ]
        // Both adapters poll the stream from "$" once their reader connection is up: until a
        // broadcast from one crosses to the other, the cluster is still forming.
        await waitUntil(async () => {
          one.io.emit("warmup", 1)
          two.io.emit("warmup", 2)
          await new Promise((resolve) => setTimeout(resolve, 50))
          return seenBlue2.some(([event, value]) => event === "warmup" && value === 1) &&
            seenRed1.some(([event, value]) => event === "warmup" && value === 2)
        }, "both servers to see each other's broadcasts")
        const received = (seen: Array<[string, unknown]>) =>
          seen.filter(([event]) => event !== "warmup").map((entry) => JSON.stringify(entry)).sort()

        one.io.emit("news", "from one")
        two.io.to("red").emit("only-red", "from two")
        one.io.to("blue").emit("only-blue", { n: 1 })
        // Local clients hear a server's emits at once, remote ones through the stream, in the order
        // each server sent them: a barrier from each server closes what that server sent before.
        one.io.emit("barrier", "one")
        two.io.emit("barrier", "two")
        await waitUntil(
          () => [seenRed1, seenBlue2, seenRed2].every((seen) => received(seen).filter((entry) => entry.startsWith('["barrier"')).length === 2),
          "both barriers on every client"
        )
        const expected = (...entries: Array<[string, unknown]>) =>
          [...entries, ["barrier", "one"], ["barrier", "two"]].map((entry) => JSON.stringify(entry)).sort()
        expect(received(seenRed1)).toEqual(expected(["news", "from one"], ["only-red", "from two"]))
        expect(received(seenRed2)).toEqual(expected(["news", "from one"], ["only-red", "from two"]))
        expect(received(seenBlue2)).toEqual(expected(["news", "from one"], ["only-blue", { n: 1 }]))

        const pings: Array<unknown> = []
        two.io.on("ping-servers", (value: unknown) => pings.push(value))
        one.io.serverSideEmit("ping-servers", "hello two")
        await waitUntil(() => pings.length === 1, "the server-side emit on server two")
        expect(pings).toEqual(["hello two"])

        const redSockets = await one.io.in("red").fetchSockets()
        expect(redSockets.map((socket) => socket.id).sort()).toEqual([red1.id, red2.id].sort())
        const everyone = await two.io.fetchSockets()
        expect(everyone).toHaveLength(3)

        // A remote join: server one puts server two's blue client into "red" as well.
        one.io.in(blue2.id!).socketsJoin("red")
        await waitUntil(async () => (await one.io.in("red").fetchSockets()).length === 3, "blue2 to join red")
        seenBlue2.length = 0
        one.io.to("red").emit("red-again", true)
        await waitUntil(() => seenBlue2.some(([event]) => event === "red-again"), "blue2 to hear the red room")
        const admin = new Redis({ port: server.port })
        try {
          expect(await admin.type("socket.io")).toBe("stream")
          expect(await admin.xlen("socket.io")).toBeGreaterThan(0)
        } finally {
          admin.disconnect()
        }
      })
    })
  }
}
