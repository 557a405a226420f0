/**
 * Fan-out: one publisher, 50 subscribers of one channel, on redfiber and Redis (node-ref has no
 * pub/sub). The publisher sends PUBLISHes pipelined, a few windows in flight; every message has
 * the same size, so each subscriber counts bytes instead of parsing (the bench's own process must
 * not be the bottleneck). A run's time goes from the first PUBLISH to the last byte reaching the
 * last subscriber; the figure is messages delivered per second (messages × subscribers / time),
 * with the server's CPU µs per delivered message. Each subscriber receives a few MB in all, under
 * Redis's 8 MB soft output limit, so no server drops a slow reader here.
 */
import net from "node:net"
import { cpuMicros } from "../lib/proc.mjs"
import { BASELINE, launchServer, serverGoneReason, stopServer } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

const SUBSCRIBERS = 50
const CHANNEL = "fanout:bench"
/** PUBLISHes per write, and writes awaiting their replies at once. */
const WINDOW = 64
const IN_FLIGHT = 4
const RUN_TIMEOUT_MS = 120_000

const bulk = (text) => `$${text.length}\r\n${text}\r\n`
const encode = (args) => `*${args.length}\r\n${args.map(bulk).join("")}`
/** A payload of fixed width (the sequence number, zero-padded), so every message has one size. */
const payloadOf = (n) => String(n).padStart(12, "0")
const MESSAGE_BYTES = `*3\r\n${bulk("message")}${bulk(CHANNEL)}${bulk(payloadOf(0))}`.length
const SUBSCRIBED = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`

const connect = (port) =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" })
    socket.setNoDelay(true)
    socket.once("error", reject)
    socket.once("connect", () => {
      socket.off("error", reject)
      socket.on("error", () => {})
      resolve(socket)
    })
  })

/** A subscriber counting the bytes of its messages; `done` resolves once it has `expected`. */
const subscribe = async (port, expected) => {
  const socket = await connect(port)
  let received = -SUBSCRIBED.length
  let markSubscribed
  let markDone
  const subscribed = new Promise((resolve) => (markSubscribed = resolve))
  const done = new Promise((resolve) => (markDone = resolve))
  socket.on("data", (chunk) => {
    const before = received
    received += chunk.length
    if (before < 0 && received >= 0) markSubscribed()
    if (received >= expected) markDone()
  })
  socket.on("close", () => markDone())
  socket.write(encode(["SUBSCRIBE", CHANNEL]))
  await subscribed
  return { socket, done, received: () => received }
}

/** Publishes `count` messages, WINDOW per write and IN_FLIGHT writes unanswered at most. */
const publishAll = (socket, count) =>
  new Promise((resolve, reject) => {
    const reply = `:${SUBSCRIBERS}\r\n`
    let sent = 0
    let answered = 0
    let pending = ""
    const sendWindow = () => {
      let text = ""
      const end = Math.min(count, sent + WINDOW)
      for (; sent < end; sent++) text += encode(["PUBLISH", CHANNEL, payloadOf(sent)])
      socket.write(text)
    }
    socket.on("data", (chunk) => {
      pending += chunk.toString("latin1")
      const whole = Math.floor(pending.length / reply.length)
      const text = pending.slice(0, whole * reply.length)
      pending = pending.slice(whole * reply.length)
      if (text !== reply.repeat(whole)) return reject(new Error(`PUBLISH answered ${JSON.stringify(text.slice(0, 40))}`))
      const windowsBefore = Math.floor(answered / WINDOW)
      answered += whole
      if (answered >= count) return resolve()
      for (let w = windowsBefore; w < Math.floor(answered / WINDOW) && sent < count; w++) sendWindow()
    })
    socket.on("close", () => reject(new Error("the publisher's connection closed")))
    for (let w = 0; w < IN_FLIGHT && sent < count; w++) sendWindow()
  })

const readCpu = (server) => {
  try {
    return cpuMicros(server.process.pid)
  } catch {
    return NaN
  }
}

const measureFanout = (options) => async (server) => {
  const gone = serverGoneReason(server)
  if (gone) return { error: gone }
  const count = options.fanoutMessages
  const expected = count * MESSAGE_BYTES
  const sockets = []
  try {
    const subscribers = []
    for (let i = 0; i < SUBSCRIBERS; i++) subscribers.push(await subscribe(server.port, expected))
    sockets.push(...subscribers.map((subscriber) => subscriber.socket))
    const publisher = await connect(server.port)
    sockets.push(publisher)
    const cpuBefore = readCpu(server)
    const started = performance.now()
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not delivered within ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS)
    })
    try {
      await Promise.race([Promise.all([publishAll(publisher, count), ...subscribers.map((s) => s.done)]), timeout])
    } finally {
      clearTimeout(timer)
    }
    const seconds = (performance.now() - started) / 1000
    const cpuAfter = readCpu(server)
    const short = subscribers.filter((subscriber) => subscriber.received() !== expected)
    if (short.length > 0) return { error: `${short.length} subscriber(s) did not get exactly ${count} messages` }
    const delivered = count * SUBSCRIBERS
    const messagesPerSecond = delivered / seconds
    const cpuUsPerMessage = (cpuAfter - cpuBefore) / delivered
    return {
      messagesPerSecond,
      cpuUsPerMessage,
      summary: `${Math.round(messagesPerSecond).toLocaleString("en-US")} msgs/s delivered, ${cpuUsPerMessage.toFixed(3)} µs CPU/msg`
    }
  } catch (error) {
    return { error: serverGoneReason(server) ?? error.message }
  } finally {
    for (const socket of sockets) socket.destroy()
  }
}

/** Runs the fan-out rows on fresh servers (those that have pub/sub). */
export const runFanout = async (serverNames, options, log) => {
  const names = serverNames.filter((name) => name !== "node-ref")
  const rows = [{ label: `1 publisher → ${SUBSCRIBERS} subscribers, ${options.fanoutMessages.toLocaleString("en-US")} messages` }]
  log(`Fan-out: ${rows[0].label}, ${options.runs} interleaved run(s)`)
  const servers = []
  try {
    for (const name of names) servers.push(await launchServer(name))
    await runInterleaved({ rows, servers, runs: options.runs, measure: measureFanout(options), log })
  } finally {
    await Promise.all(servers.map(stopServer))
  }
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return { rows, serverNames: names, messageBytes: MESSAGE_BYTES }
}
