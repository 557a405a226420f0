// Starting the server as a Layer: a bad configuration or a busy port is a typed failure
// (ServerError with its reason) in the Layer's error channel, never a throw or a defect.
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as net from "node:net"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Db, PersistenceError, RedisServer, ServerError, type ServerConfigInput } from "../../src/index.js"

/** Builds the layer in a scope of its own and returns its typed failure (fails the test otherwise). */
const failureOf = <A, E>(layer: Layer.Layer<A, E>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
    if (Exit.isSuccess(exit)) return yield* Effect.die(new Error("the layer was built"))
    const failure = Cause.findErrorOption(exit.cause)
    if (Option.isNone(failure)) return yield* Effect.die(new Error(`not a failure: ${Cause.pretty(exit.cause)}`))
    return failure.value
  })

const quiet = { save: "", shutdownTimeout: 0 } satisfies ServerConfigInput

describe("RedisServer layers fail with ServerError", () => {
  it.effect("a port out of range is InvalidConfig, naming the field", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(RedisServer.layerWithDb({ ...quiet, port: 70000 }))
      expect(error).toBeInstanceOf(ServerError)
      expect(error.reason).toBe("InvalidConfig")
      expect(error.message).toMatch(/^Invalid configuration: /)
      expect(error.message).toContain("port")
      expect(error.message).toContain("70000")
    }))

  it.effect("an unknown maxmemory policy is InvalidConfig (layer and layerWithDb)", () =>
    Effect.gen(function*() {
      const input = { ...quiet, port: 0, maxmemoryPolicy: "allkeys-fifo" } as unknown as ServerConfigInput
      const withDb = yield* failureOf(RedisServer.layerWithDb(input))
      expect(withDb.reason).toBe("InvalidConfig")
      expect(withDb.message).toContain("maxmemoryPolicy")
      const plain = yield* failureOf(RedisServer.layer(input).pipe(Layer.provide(Db.layer())))
      expect(plain.reason).toBe("InvalidConfig")
      expect(plain.message).toContain("allkeys-fifo")
    }))

  it.effect("databases 0 is InvalidConfig before any Db is made", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(RedisServer.layerWithDb({ ...quiet, port: 0, databases: 0 }))
      expect(error.reason).toBe("InvalidConfig")
      expect(error.message).toContain("databases")
    }))

  it.effect("a port in use is ListenFailed with the OS's reason", () =>
    Effect.gen(function*() {
      const holder = yield* Effect.acquireRelease(
        Effect.callback<net.Server>((resume) => {
          const server = net.createServer()
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const port = (holder.address() as net.AddressInfo).port
      const error = yield* failureOf(RedisServer.layerWithDb({ ...quiet, port }))
      expect(error.reason).toBe("ListenFailed")
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expect(error.message).toContain("EADDRINUSE")
    }).pipe(Effect.scoped))

  it.effect("a data dir that is a file is PersistenceError Io, not a defect", () =>
    Effect.gen(function*() {
      const parent = mkdtempSync(join(tmpdir(), "redfiber-dir-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(parent, { recursive: true, force: true })))
      const file = join(parent, "not-a-dir")
      writeFileSync(file, "")
      const error = yield* failureOf(RedisServer.layerWithDb({ ...quiet, port: 0, appendonly: "yes", dir: file }))
      expect(error).toBeInstanceOf(PersistenceError)
      expect(error.reason).toBe("Io")
      expect(error.message).toContain(file)
    }).pipe(Effect.scoped))

  it.effect("a valid configuration builds, listening on the bound port", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.pipe(Effect.provide(RedisServer.layerWithDb({ ...quiet, port: 0 })))
      expect(server.address.port).toBeGreaterThan(0)
    }))
})
