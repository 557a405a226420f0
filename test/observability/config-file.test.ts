/**
 * Configuration files, with the built server as a process: a file (and flags after it) sets any
 * parameter CONFIG knows, a bad line stops the start with Redis's exact report (checked against
 * redis-server itself), and CONFIG REWRITE writes the live values back keeping comments and
 * lines it does not own, so the server starts again from the rewritten file with the same values.
 * Also the pieces in process: Redis's quoting rules and the option lines flags become.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { configFromText, ConfigFileError, optionsText, splitArgs } from "../../src/config/configFile.js"
import { bulk, ok } from "../support/caseTables.js"
import { RawClient } from "../support/RawClient.js"
import { freePort, hasRealRedis, redisServerPath, waitForPing } from "../support/servers.js"

const SERVER = "dist/redfiber-server.js"
const children: Array<ChildProcess> = []
const directory = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-config-"))

interface Run {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
}

const launch = (command: string, args: ReadonlyArray<string>): Run => {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], cwd: directory })
  children.push(child)
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}
const ours = (args: ReadonlyArray<string>) => launch(process.execPath, [path.resolve(SERVER), ...args])

const write = (name: string, content: string): string => {
  const file = path.join(directory, name)
  fs.writeFileSync(file, content)
  return file
}

beforeAll(() => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
})

afterAll(() => fs.rmSync(directory, { recursive: true, force: true }))

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
})

describe("Redis's config syntax", () => {
  it("splits arguments with Redis's quoting", () => {
    expect(splitArgs(`set "a b" 'c d' e\\x41 "\\x41\\n\\"q\\"" 'it\\'s'`)).toEqual(["set", "a b", "c d", "e\\x41", "A\n\"q\"", "it's"])
    expect(splitArgs(`"unterminated`)).toBeUndefined()
    expect(splitArgs(`"closing"quote`)).toBeUndefined()
    expect(splitArgs("   ")).toEqual([])
  })

  it("turns flags into option lines as redis-server does", () => {
    expect(optionsText(["--port", "0", "--save", "900", "1", "--requirepass", "a b"]))
      .toBe(`port "0" \nsave "900" "1" \nrequirepass "a b" `)
  })

  it("reads typed fields, parameters, several save lines and reports the first bad line", () => {
    const parsed = configFromText(
      "# comment\nport 7000\n  MaxClients \"12\" \nsave 900 1\nsave 300 10\nslowlog-max-len 5\nclient-output-buffer-limit pubsub 1mb 0 0\n",
      "/x.conf"
    )
    expect(parsed).toMatchObject({
      port: 7000,
      maxclients: 12,
      save: "900 1 300 10",
      configFile: "/x.conf",
      parameters: [["slowlog-max-len", "5"], ["client-output-buffer-limit", "pubsub 1mb 0 0"]]
    })
    const bad = configFromText("port 0\n\nlatency-monitor-threshold -1\n", "")
    expect(bad).toBeInstanceOf(ConfigFileError)
    expect((bad as ConfigFileError).message).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n" +
        ">>> 'latency-monitor-threshold -1'\nargument must be between 0 and 9223372036854775807 inclusive"
    )
  })
})

describe("redfiber-server /path/redis.conf", () => {
  const BAD_FILES: ReadonlyArray<readonly [name: string, content: string, flags: ReadonlyArray<string>]> = [
    ["unknown.conf", "# comment\n\nport 0\nfoo bar\n", []],
    ["integer.conf", "maxclients abc\n", []],
    ["arguments.conf", "slowlog-max-len 1 2\n", []],
    ["quotes.conf", "requirepass \"abc\n", []],
    ["flag.conf", "  MaxClients   \"12\"  \n", ["--port", "0", "--slowlog-max-len", "x"]],
    ["user-empty.conf", "port 0\nuser\n", []],
    ["user-rule.conf", "user alice on badrule\n", []],
    ["user-later-rule.conf", "user alice on >pw badrule2 +get\n", []],
    ["user-duplicate.conf", "user alice\nuser bob on\nuser alice on\n", []],
    ["rename-unknown.conf", "port 0\nrename-command nosuch x\n", []],
    ["rename-taken.conf", "rename-command get set\n", []],
    ["rename-twice.conf", "rename-command get g2\nrename-command g2 g3\nrename-command get x\n", []],
    ["include-bad.conf", "port 0\n# the included file's line is reported\ninclude included-bad.conf\n", []]
  ]
  beforeAll(() => {
    write("included-bad.conf", "port 0\nmaxclients abc\n")
  })

  for (const [name, content, flags] of BAD_FILES) {
    it(`a bad line stops the start with Redis's report (${name})`, async () => {
      const file = write(name, content)
      const run = ours([file, ...flags])
      expect(await run.exited).toBe(1)
      const report = run.output()
      expect(report).toContain("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***")
      if (hasRealRedis) {
        const real = launch(redisServerPath()!, [file, ...flags])
        await real.exited
        expect(report.trim()).toBe(real.output().trim())
      }
    })
  }

  it("starts from a file, and CONFIG REWRITE writes back what CONFIG SET changed, keeping the rest", async () => {
    const port = await freePort()
    const file = write(
      "rewrite.conf",
      `# my settings\nport ${port}\nmaxclients 100\n# keep this comment\nsave 900 1\nsave 300 10\nslowlog-max-len 5\n`
    )
    const first = ours([file])
    await waitForPing(port)
    const client = await RawClient.connect(port)
    expect(await client.call("CONFIG", "GET", "slowlog-max-len")).toMatchObject({ value: [bulk("slowlog-max-len"), bulk("5")] })
    expect((await client.call("INFO", "server")).value).toContain(`config_file:${file}`)
    expect(await client.call("CONFIG", "SET", "maxclients", "200", "slowlog-log-slower-than", "5", "maxmemory", "100mb"))
      .toEqual(ok)
    expect(await client.call("CONFIG", "SET", "requirepass", "a b")).toEqual(ok)
    expect(await client.call("AUTH", "a b")).toEqual(ok)
    expect(await client.call("CONFIG", "REWRITE")).toEqual(ok)
    client.close()
    first.child.kill("SIGTERM")
    await first.exited
    const rewritten = fs.readFileSync(file, "utf8")
    expect(rewritten.startsWith(`# my settings\nport ${port}\nmaxclients 200\n# keep this comment\nsave 900 1\nsave 300 10\nslowlog-max-len 5\n`))
      .toBe(true)
    expect(rewritten).toContain("\n# Generated by CONFIG REWRITE\n")
    expect(rewritten).toContain("\nmaxmemory 100mb\n")
    expect(rewritten).toContain("\nrequirepass \"a b\"\n")

    const second = ours([file])
    // It now wants the password: wait until it takes connections, then authenticate.
    let again: RawClient | undefined
    for (let attempt = 0; again === undefined && attempt < 100; attempt++) {
      again = await RawClient.connect(port).catch(() => undefined)
      if (again === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    if (again === undefined) throw new Error(`the server did not start: ${second.output()}`)
    expect(await again.call("AUTH", "a b")).toEqual(ok)
    const values = await again.call("CONFIG", "GET", "maxclients", "slowlog-log-slower-than", "maxmemory", "slowlog-max-len", "save")
    expect(values).toMatchObject({
      value: expect.arrayContaining([bulk("200"), bulk("5"), bulk("104857600"), bulk("900 1 300 10")])
    })
    again.close()
    second.child.kill("SIGTERM")
    await second.exited
  })

  it("user lines make ACL users at start; CONFIG REWRITE writes every user back, as redis-server does", async () => {
    const content = (port: number) =>
      `port ${port}\nuser alice on nopass ~* +@all\nuser bob on >pw (~x* +get) -@all +set ~k*\n` +
      "# between\nuser default on nopass ~* &* +@all\nuser carol\n"
    const runBoth = async (name: string, start: (args: ReadonlyArray<string>) => Run) => {
      const port = await freePort()
      const file = write(name, content(port))
      const run = start([file])
      await waitForPing(port)
      const client = await RawClient.connect(port)
      const list = await client.call("ACL", "LIST")
      expect(await client.call("AUTH", "bob", "pw")).toEqual(ok)
      expect(await client.call("SET", "k1", "v")).toEqual(ok)
      expect(await client.call("GET", "x1")).toEqual({ kind: "bulk", value: null })
      expect(await client.call("AUTH", "default", "")).toEqual(ok)
      expect(await client.call("ACL", "DELUSER", "carol")).toEqual({ kind: "integer", value: "1" })
      expect(await client.call("ACL", "SETUSER", "dave", "on", ">d", "~d*", "+get")).toEqual(ok)
      expect(await client.call("CONFIG", "REWRITE")).toEqual(ok)
      client.close()
      run.child.kill("SIGTERM")
      await run.exited
      // The users' lines only (other generated lines follow each server's own table order).
      const users = fs.readFileSync(file, "utf8").split("\n").filter((line) => line.startsWith("user ") || line.startsWith("#"))
      return { list, users }
    }
    const mine = await runBoth("users.conf", ours)
    expect(mine.users).toEqual([
      "user alice on nopass ~* resetchannels +@all",
      "user bob on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~k* resetchannels -@all +set " +
      "(~x* resetchannels -@all +get)",
      "# between",
      "user dave on #18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4 ~d* resetchannels -@all +get",
      "user default on nopass sanitize-payload ~* &* +@all",
      "# Generated by CONFIG REWRITE"
    ])
    if (hasRealRedis) {
      const real = await runBoth("users-real.conf", (args) => launch(redisServerPath()!, args))
      expect(mine).toEqual(real)
    }
  })

  it("include reads another file at its line; rename-command renames or removes commands, as redis-server", async () => {
    const replies = async (name: string, start: (args: ReadonlyArray<string>) => Run) => {
      const port = await freePort()
      write(`${name}-included.conf`, `port ${port}\nrename-command del ""\nmaxclients 77\n`)
      const file = write(`${name}.conf`, `maxclients 5\ninclude ${name}-included.conf\nrename-command get g2\nrename-command g2 Fetch\n`)
      const run = start([file])
      await waitForPing(port)
      const client = await RawClient.connect(port)
      const seen = [
        await client.call("CONFIG", "GET", "maxclients"),
        await client.call("SET", "k", "v"),
        await client.call("FETCH", "k"),
        await client.call("GET", "k"),
        await client.call("G2", "k"),
        await client.call("DEL", "k"),
        await client.call("MULTI"),
        await client.call("fetch", "k"),
        await client.call("EXEC"),
        await client.call("EVAL", "return redis.call('fetch', 'k')", "0"),
        await client.call("COMMAND", "INFO", "get", "fetch")
      ]
      client.close()
      run.child.kill("SIGTERM")
      await run.exited
      return seen
    }
    const mine = await replies("renames", ours)
    expect(mine[2]).toEqual({ kind: "bulk", value: "v" })
    expect(mine[3]).toMatchObject({ kind: "error" })
    if (hasRealRedis) expect(mine).toEqual(await replies("renames-real", (args) => launch(redisServerPath()!, args)))
  })

  it("users in the file and an aclfile: the start stops, as redis-server's", async () => {
    const file = write("users-and-aclfile.conf", `port 0\naclfile ${path.join(directory, "users.acl")}\nuser alice on\n`)
    fs.writeFileSync(path.join(directory, "users.acl"), "")
    const run = ours([file])
    expect(await run.exited).toBe(1)
    expect(run.output()).toContain("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.")
  })

  it("CONFIG REWRITE without a file says so", async () => {
    const port = await freePort()
    const run = ours(["--port", String(port), "--slowlog-max-len", "7"])
    await waitForPing(port)
    const client = await RawClient.connect(port)
    expect(await client.call("CONFIG", "REWRITE")).toEqual({ kind: "error", value: "ERR The server is running without a config file" })
    expect(await client.call("CONFIG", "GET", "slowlog-max-len")).toMatchObject({ value: [bulk("slowlog-max-len"), bulk("7")] })
    client.close()
    run.child.kill("SIGTERM")
    await run.exited
  })
})
