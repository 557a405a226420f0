// A consumer of the packed redfiber: an app service over RedisClient, the server as a Layer on
// port 0, one SET/GET round trip over TCP and the same service over the in-process client.
// Type-checked with strict flags and skipLibCheck off.
import { Context, Effect, Layer, Option } from "effect"
import { Db, InProcessClient, RedisClient, RedisServer, ServerError, type ServerConfigInput } from "redfiber"

class Greetings extends Context.Service<Greetings, {
  readonly remember: (name: string) => Effect.Effect<void, unknown>
  readonly recall: (name: string) => Effect.Effect<Option.Option<string>, unknown>
}>()("consumer/Greetings") {
  static readonly layer = Layer.effect(
    Greetings,
    Effect.map(RedisClient, (client) => ({
      remember: (name: string) => Effect.asVoid(client.set(`greeting:${name}`, `hello ${name}`)),
      recall: (name: string) => client.get(`greeting:${name}`)
    }))
  )
}

// Options an app fills from its environment may be undefined (exactOptionalPropertyTypes).
const password = process.env["CONSUMER_REDIS_PASSWORD"]
const config: ServerConfigInput = { port: 0, save: "", requirepass: password }
const server = RedisServer.layerWithDb(config)
// The client connects to the port the server actually bound.
const client = Layer.unwrap(
  Effect.map(RedisServer, (running) => RedisClient.layer({ port: running.address.port, password }))
)
const app = Greetings.layer.pipe(Layer.provideMerge(client), Layer.provideMerge(server))

const program = Effect.gen(function*() {
  const greetings = yield* Greetings
  yield* greetings.remember("ada")
  const value = yield* greetings.recall("ada")
  const port = (yield* RedisServer).address.port
  // The same keyspace in process, through Db.
  const db = yield* Db
  const inProcess = yield* db.get("greeting:ada")
  yield* db.set("greeting:bob", "hi", { px: undefined })
  const fromClient = yield* Effect.flatMap(RedisClient, (client) => client.get("greeting:bob"))
  return { value: Option.getOrNull(value), inProcess: Option.getOrNull(inProcess), set: Option.getOrNull(fromClient), port }
})

// The same app service, unchanged, over the in-process client of an embedded server.
const inProcessApp = Greetings.layer.pipe(Layer.provideMerge(InProcessClient.layerWithServer({ port: 0, save: "" })))
const inProcessClient = await Effect.runPromise(
  Effect.gen(function*() {
    const greetings = yield* Greetings
    yield* greetings.remember("grace")
    return Option.getOrNull(yield* greetings.recall("grace"))
  }).pipe(Effect.provide(inProcessApp), Effect.orDie)
)

const result = await Effect.runPromise(
  program.pipe(
    Effect.provide(app),
    Effect.catchIf((error): error is ServerError => error instanceof ServerError, (error) => Effect.die(error))
  )
)
console.log(JSON.stringify({ ...result, inProcessClient }))
