/**
 * The flags of authentication, protected mode, maxmemory and the query buffer limit: parsed like
 * redis-server's, validated by the config Schema, and live in the RuntimeConfig that CONFIG GET
 * reads.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FlagError, parseFlags, resolveConfig } from "../../src/config/flags.js"
import { allParameters } from "../../src/config/parameters.js"
import { RuntimeConfig } from "../../src/config/RuntimeConfig.js"
import type { ServerConfigInput } from "../../src/config/ServerConfig.js"

const resolve = (argv: ReadonlyArray<string>) => {
  const flags = parseFlags(argv)
  if (flags instanceof FlagError || typeof flags === "string") throw new Error(String(flags))
  return Effect.runPromise(Effect.result(resolveConfig(flags as ServerConfigInput)))
}

const configGet = (config: RuntimeConfig, name: string) =>
  allParameters(config).find((parameter) => parameter.name === name)!.get(config, { tcpPort: 0 })

describe("hardening flags", () => {
  it("reach the live configuration", async () => {
    const resolved = await resolve([
      "--requirepass", "pw word", "--protected-mode", "no", "--maxmemory", "100mb",
      "--maxmemory-policy", "allkeys-lfu", "--maxmemory-samples", "10", "--client-query-buffer-limit", "2mb"
    ])
    if (resolved._tag === "Failure") throw new Error(resolved.failure.message)
    const config = new RuntimeConfig(resolved.success)
    expect(config.requirepass).toBe("pw word")
    expect(config.protectedMode).toBe(false)
    expect(config.maxmemory).toBe(100 * 1024 * 1024)
    expect(config.maxmemoryPolicy).toBe("allkeys-lfu")
    expect(config.maxmemorySamples).toBe(10)
    expect(config.clientQueryBufferLimit).toBe(2 * 1024 * 1024)
    expect(["requirepass", "protected-mode", "maxmemory", "maxmemory-policy", "maxmemory-samples", "client-query-buffer-limit"]
      .map((name) => configGet(config, name))).toEqual(["pw word", "no", "104857600", "allkeys-lfu", "10", "2097152"])
  })

  it("defaults: no password, protected mode, no limit, noeviction, 5 samples, 1gb", async () => {
    const resolved = await resolve([])
    if (resolved._tag === "Failure") throw new Error(resolved.failure.message)
    const config = new RuntimeConfig(resolved.success)
    expect([config.requirepass, config.protectedMode, config.maxmemory, config.maxmemoryPolicy, config.maxmemorySamples])
      .toEqual(["", true, 0, "noeviction", 5])
    expect(config.clientQueryBufferLimit).toBe(1024 ** 3)
  })

  it("refuse bad values with one line", async () => {
    for (const [argv, message] of [
      [["--maxmemory-policy", "lru"], /^--maxmemory-policy: /],
      [["--protected-mode", "maybe"], /^--protected-mode: /],
      [["--maxmemory", "-1"], /^--maxmemory: /],
      [["--maxmemory-samples", "0"], /^--maxmemory-samples: /],
      [["--client-query-buffer-limit", "1000"], /^--client-query-buffer-limit: /]
    ] as const) {
      const resolved = await resolve(argv)
      expect(resolved._tag).toBe("Failure")
      if (resolved._tag === "Failure") expect(resolved.failure.message).toMatch(message)
    }
  })
})
