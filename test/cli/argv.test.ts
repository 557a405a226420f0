/**
 * redis-cli's command line reshaped for @effect/cli: leading options (with `-h <host>`), then the
 * command's words, verbatim, after `--`.
 */
import { describe, expect, it } from "@effect/vitest"
import { normalizeArgv } from "../../src/cli/argv.js"

describe("normalizeArgv", () => {
  it("turns redis-cli's -h <host> into --host; a bare trailing -h is help", () => {
    expect(normalizeArgv(["-h", "10.0.0.1", "-p", "7000", "ping"])).toEqual(["--host", "10.0.0.1", "-p", "7000", "ping", "--"])
    expect(normalizeArgv(["-h"])).toEqual(["--help"])
    expect(normalizeArgv(["--help"])).toEqual(["--help"])
  })

  it("keeps options that take values together with their values", () => {
    expect(normalizeArgv(["-a", "-secret-", "-n", "3", "--port", "1", "--raw"])).toEqual([
      "-a", "-secret-", "-n", "3", "--port", "1", "--raw"
    ])
  })

  it("puts the words of a subcommand after --, so none of them is read as an option", () => {
    expect(normalizeArgv(["set", "k", "-5"])).toEqual(["set", "--", "k", "-5"])
    expect(normalizeArgv(["-p", "1", "GET", "-h"])).toEqual(["-p", "1", "get", "--", "-h"])
    expect(normalizeArgv(["get", "--help"])).toEqual(["get", "--help"])
  })

  it("sends any other command through `send`, subcommand names in its arguments included", () => {
    expect(normalizeArgv(["hset", "h", "get", "-v"])).toEqual(["send", "--", "hset", "h", "get", "-v"])
    expect(normalizeArgv(["--no-raw", "COMMAND", "COUNT"])).toEqual(["--no-raw", "send", "--", "COMMAND", "COUNT"])
    expect(normalizeArgv(["--", "-weird"])).toEqual(["send", "--", "-weird"])
  })
})
