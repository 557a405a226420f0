// A consumer of the packed redfiber: an app service over RedisClient, the server as a Layer on
// port 0, one SET/GET round trip. Type-checked with strict flags and skipLibCheck off.
import { Context, Effect, Layer, Option } from "effect"
import { RedisClient, RedisServer, ServerError, type ServerConfigInput } from "redfiber"

class Greetings extends Context.Tag("consumer/Greetings")<Greetings, {
  readonly remember: (name: string) => Effect.Effect<void, unknown>
  readonly recall: (name: string) => Effect.Effect<Option.Option<string>, unknown>
}>() {
  static readonly layer = Layer.effect(
    Greetings,
    Effect.map(RedisClient, (client) => ({
      remember: (name: string) => Effect.asVoid(client.set(`greeting:${name}`, `hello ${name}`)),
      recall: (name: string) => client.get(`greeting:${name}`)
    }))
  )
}

const config: ServerConfigInput = { port: 0, save: "" }
const server = RedisServer.layerWithDb(config)
// The client connects to the port the server actually bound.
const client = Layer.unwrapEffect(
  Effect.map(RedisServer, (running) => RedisClient.layer({ port: running.address.port }))
)
const app = Greetings.layer.pipe(Layer.provide(client), Layer.provideMerge(server))

const program = Effect.gen(function*() {
  const greetings = yield* Greetings
  yield* greetings.remember("ada")
  const value = yield* greetings.recall("ada")
  const port = (yield* RedisServer).address.port
  return { value: Option.getOrNull(value), port }
})

const result = await Effect.runPromise(
  program.pipe(
    Effect.provide(app),
    Effect.catchIf((error): error is ServerError => error instanceof ServerError, (error) => Effect.die(error))
  )
)
console.log(JSON.stringify(result))
