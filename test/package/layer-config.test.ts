// RedisServer.layerConfig: configured as `pnpm start` is, from REDFIBER_* variables through Effect's
// Config (here a ConfigProvider the test supplies) under command-line flags; bad values fail the Layer.
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RedisServer, ServerError } from "../../src/index.js"

const withEnvironment = (variables: Record<string, string>) =>
  Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(variables))

describe("RedisServer.layerConfig", () => {
  it.effect("reads REDFIBER_* through the app's ConfigProvider; flags win over them", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerConfig(["--port", "0", "--databases", "4"])).pipe(
        withEnvironment({ REDFIBER_DATABASES: "2", REDFIBER_MAXCLIENTS: "77", REDFIBER_PORT: "1" })
      )
      const server = Context.get(context, RedisServer)
      expect(server.address.port).toBeGreaterThan(1)
      expect(server.state.config.databases).toBe(4)
      expect(server.state.config.maxclients).toBe(77)
    }))

  it.effect("a bad variable or flag is a ServerError InvalidConfig", () =>
    Effect.gen(function*() {
      for (
        const [flags, env] of [
          [["--port", "0"], { REDFIBER_MAXCLIENTS: "many" }],
          [["--port", "0", "--hz", "0"], {}],
          [["--no-such-flag"], {}]
        ] as const
      ) {
        const error = yield* Effect.flip(Effect.scoped(Layer.build(RedisServer.layerConfig(flags)))).pipe(withEnvironment(env))
        expect(error).toBeInstanceOf(ServerError)
        expect(error.reason).toBe("InvalidConfig")
      }
    }))
})
