/**
 * --cluster-enabled: yes or no (default no), read at start only: it reaches the live
 * configuration, CONFIG GET shows it, CONFIG SET refuses it as an immutable parameter, and any
 * other value stops the start with one line.
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

const parameter = (config: RuntimeConfig) => allParameters(config).find((p) => p.name === "cluster-enabled")!

describe("--cluster-enabled", () => {
  it("yes reaches the configuration; CONFIG GET shows it and CONFIG SET refuses it", async () => {
    const resolved = await resolve(["--cluster-enabled", "yes"])
    if (resolved._tag === "Failure") throw new Error(resolved.failure.message)
    const config = new RuntimeConfig(resolved.success)
    expect(config.clusterEnabled).toBe(true)
    expect(parameter(config).get(config, { tcpPort: 0 })).toBe("yes")
    expect(parameter(config).set("no", config, { tcpPort: 0 })).toBe("can't set immutable config")
  })

  it("defaults to no", async () => {
    const resolved = await resolve([])
    if (resolved._tag === "Failure") throw new Error(resolved.failure.message)
    const config = new RuntimeConfig(resolved.success)
    expect(config.clusterEnabled).toBe(false)
    expect(parameter(config).get(config, { tcpPort: 0 })).toBe("no")
  })

  it("any other value is refused with the flag's name", async () => {
    const resolved = await resolve(["--cluster-enabled", "maybe"])
    expect(resolved._tag).toBe("Failure")
    if (resolved._tag === "Failure") expect(resolved.failure.message).toMatch(/^--cluster-enabled: /)
  })
})
