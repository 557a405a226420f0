/**
 * Micro-benchmark behind the pub/sub hub's delivery design (src/pubsub/Hub.ts): what it costs to
 * hand one message to each of 50 subscribers from inside a synchronous batch, and what it costs
 * the subscriber to take its messages out again, without sockets. Prints ns per message per
 * subscriber, the median of several rounds, for:
 * - an unbounded Effect `Queue` per subscriber: `unsafeOffer` (no fiber waiting), drained with
 *   `Queue.takeAll` every 1 000 messages as a subscriber fiber would;
 * - the same with `Effect.runSync(Queue.offer(...))` (what an Effect-per-delivery would cost);
 * - one unbounded Effect `PubSub` with 50 subscriptions: `Effect.runSync(PubSub.publish(...))`,
 *   each subscription drained with `Queue.takeAll`;
 * - a plain array per subscriber (`push` and a byte count), drained by swapping the array: what
 *   the hub does.
 * Drains only take the messages out; joining and writing them costs the same whichever way.
 *
 * Run: npx esbuild scripts/bench/pubsub-micro.ts --bundle --platform=node --format=esm \
 *        --outfile=/tmp/pubsub-micro.mjs && node /tmp/pubsub-micro.mjs
 */
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"

const SUBSCRIBERS = 50
const MESSAGES = 100_000
const DRAIN_EVERY = 1000
const ROUNDS = Number(process.argv[2] ?? 5)
const message = Buffer.from("*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n", "latin1")

const median = (values: Array<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

interface Method {
  readonly name: string
  /** Hands one message to every subscriber. */
  readonly deliver: () => void
  /** Every subscriber takes what it was handed. */
  readonly drain: () => void
  /** Fewer messages for the slow ones (the figures are per message anyway). */
  readonly messages?: number
}

const measure = (method: Method) => {
  const messages = method.messages ?? MESSAGES
  const deliverNs: Array<number> = []
  const drainNs: Array<number> = []
  for (let round = -1; round < ROUNDS; round++) {
    let delivering = 0n
    let draining = 0n
    for (let done = 0; done < messages; done += DRAIN_EVERY) {
      const started = process.hrtime.bigint()
      for (let i = 0; i < DRAIN_EVERY; i++) method.deliver()
      const delivered = process.hrtime.bigint()
      method.drain()
      draining += process.hrtime.bigint() - delivered
      delivering += delivered - started
    }
    if (round < 0) continue // warm-up
    deliverNs.push(Number(delivering) / (messages * SUBSCRIBERS))
    drainNs.push(Number(draining) / (messages * SUBSCRIBERS))
  }
  const hand = median(deliverNs).toFixed(1).padStart(7)
  const take = median(drainNs).toFixed(1).padStart(7)
  console.log(`${method.name.padEnd(40)} deliver ${hand} ns, drain ${take} ns  (per message per subscriber)`)
}

const queues = Effect.runSync(Effect.all(Array.from({ length: SUBSCRIBERS }, () => Queue.unbounded<Buffer>())))
const drainQueues = () => {
  for (const queue of queues) Effect.runSync(Queue.clear(queue))
}

const subscriptionScope = Effect.runSync(Scope.make())
const { hub, subscriptions } = Effect.runSync(
  Effect.gen(function*() {
    const hub = yield* PubSub.unbounded<Buffer>()
    const subscriptions = yield* Effect.all(
      Array.from({ length: SUBSCRIBERS }, () => Scope.provide(PubSub.subscribe(hub), subscriptionScope))
    )
    return { hub, subscriptions }
  })
)

/** Where a drain leaves what it took (so the work is not optimised away). */
let taken: ReadonlyArray<Buffer> = []
const outboxes = Array.from({ length: SUBSCRIBERS }, () => ({ chunks: [] as Array<Buffer>, bytes: 0 }))

const methods: ReadonlyArray<Method> = [
  {
    name: "Queue.offerUnsafe per subscriber",
    deliver: () => {
      for (let s = 0; s < SUBSCRIBERS; s++) Queue.offerUnsafe(queues[s], message)
    },
    drain: drainQueues
  },
  {
    name: "Effect.runSync(Queue.offer) per subscriber",
    deliver: () => {
      for (let s = 0; s < SUBSCRIBERS; s++) Effect.runSync(Queue.offer(queues[s], message))
    },
    drain: drainQueues,
    messages: MESSAGES / 10
  },
  {
    name: "Effect.runSync(PubSub.publish), 50 subs",
    deliver: () => {
      Effect.runSync(PubSub.publish(hub, message))
    },
    drain: () => {
      for (const subscription of subscriptions) Effect.runSync(PubSub.takeAll(subscription))
    }
  },
  {
    name: "plain outbox array + byte count",
    deliver: () => {
      for (let s = 0; s < SUBSCRIBERS; s++) {
        const outbox = outboxes[s]
        outbox.chunks.push(message)
        outbox.bytes += message.length
      }
    },
    drain: () => {
      for (const outbox of outboxes) {
        taken = outbox.chunks
        outbox.chunks = []
        outbox.bytes = 0
      }
    }
  }
]

for (const method of methods) measure(method)
if (taken.length < 0) console.log(taken)
