/**
 * redfiber-cli as a process (the built dist/redfiber-cli.js), against our server and a real Redis
 * 7: subcommands, raw pass-through, options, connection failures, the REPL from a pipe and on a
 * terminal (a pty from util-linux `script`), and SUBSCRIBE until Ctrl+C. Where the real
 * `redis-cli` is installed, our output is compared with its output byte for byte.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RawClient } from "../support/RawClient.js"
import { freePort, hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"
import { TcpProxy } from "../support/TcpProxy.js"

const CLI = path.resolve("dist/redfiber-cli.js")
const hasRedisCli = spawnSync("sh", ["-c", "command -v redis-cli"]).status === 0
const hasScript = spawnSync("sh", ["-c", "command -v script"]).status === 0

interface Finished {
  readonly stdout: string
  readonly stderr: string
  readonly code: number | null
}

const children: Array<ChildProcess> = []

/** Runs a program to its end; stdout is read as latin1 (bytes as chars). */
const run = (program: string, args: ReadonlyArray<string>, input?: string, env?: NodeJS.ProcessEnv): Promise<Finished> =>
  new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } })
    children.push(child)
    const stdout: Array<Buffer> = []
    let stderr = ""
    child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdin!.end(input === undefined ? undefined : Buffer.from(input, "latin1"))
    child.on("close", (code) => resolve({ stdout: Buffer.concat(stdout).toString("latin1"), stderr, code }))
  })

const cli = (args: ReadonlyArray<string>, input?: string, env?: NodeJS.ProcessEnv) =>
  run(process.execPath, [CLI, ...args], input, { REDFIBER_CLI_HISTFILE: "/dev/null", ...env })
const redisCli = (args: ReadonlyArray<string>, input?: string) => run("redis-cli", args, input)

/** A process on a pseudo-terminal (`script`), typed into and read from. */
class Pty {
  output = ""
  readonly exited: Promise<number | null>
  private readonly child: ChildProcess

  constructor(command: ReadonlyArray<string>, env: NodeJS.ProcessEnv) {
    const line = command.map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(" ")
    this.child = spawn("script", ["-qefc", line, "/dev/null"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, TERM: "xterm", ...env }
    })
    children.push(this.child)
    this.child.stdout!.on("data", (chunk: Buffer) => (this.output += chunk.toString("latin1")))
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)))
  }

  /** The output without terminal control sequences and carriage returns. */
  get screen(): string {
    return this.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "")
  }

  type(keys: string): void {
    this.child.stdin!.write(keys)
  }

  /** Waits until the screen contains `text` `times` times. */
  async waitFor(text: string, times = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.screen.split(text).length - 1 < times) {
      if (Date.now() > deadline) throw new Error(`pty: no ${JSON.stringify(text)} ×${times} in ${JSON.stringify(this.screen)}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

beforeAll(() => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
})

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
})

const targets: Array<readonly [string, () => Promise<RunningServer>]> = [["redfiber", () => startRedfiber()]]
if (hasRealRedis) targets.push(["real Redis 7", () => startRealRedis()])

describe.each(targets)("redfiber-cli against %s", (_name, start) => {
  let server: RunningServer
  let admin: RawClient
  let port: string

  beforeAll(async () => {
    server = await start()
    port = String(server.port)
    admin = await RawClient.connect(server.port)
  })
  afterAll(async () => {
    admin?.close()
    await server?.stop()
  })

  const knows = async (name: string) => {
    const reply = await admin.call("COMMAND", "INFO", name)
    return reply.kind === "array" && reply.value?.[0]?.value !== null
  }

  /**
   * Our output and, when redis-cli is installed, the same from redis-cli: they must be equal.
   * `reset` runs before each of the two, so commands with effects meet the same data.
   */
  const sameAsRedisCli = async (
    args: ReadonlyArray<string>,
    input?: string,
    reset: () => Promise<unknown> = async () => {}
  ): Promise<Finished> => {
    await reset()
    const ours = await cli(["-p", port, ...args], input)
    if (hasRedisCli) {
      await reset()
      const theirs = await redisCli(["-p", port, ...args], input)
      expect({ stdout: ours.stdout, code: ours.code }, `redfiber-cli ${args.join(" ")}`).toEqual({
        stdout: theirs.stdout,
        code: theirs.code
      })
    }
    return ours
  }

  describe("one-shot commands", () => {
    it("mini-redis-cli's subcommands, raw when stdout is not a terminal", async () => {
      await admin.call("DEL", "cli:k")
      expect((await cli(["-p", port, "ping"])).stdout).toBe("PONG\n")
      expect((await cli(["-p", port, "ping", "hello there"])).stdout).toBe("hello there\n")
      expect((await cli(["-p", port, "get", "cli:k"])).stdout).toBe("\n")
      expect((await cli(["-p", port, "set", "cli:k", "v 1"])).stdout).toBe("OK\n")
      expect((await cli(["-p", port, "get", "cli:k"])).stdout).toBe("v 1\n")
      expect((await cli(["-p", port, "set", "cli:k", "v2", "100000"])).stdout).toBe("OK\n")
      const pttl = await admin.call("PTTL", "cli:k")
      expect(Number(pttl.value)).toBeGreaterThan(90_000)
      expect((await cli(["-p", port, "publish", "cli:nobody", "hi"])).stdout).toBe(
        (await knows("publish")) ? "0\n" : "ERR unknown command 'PUBLISH', with args beginning with: 'cli:nobody' 'hi' \n\n"
      )
    })

    it("--no-raw prints the TTY form; --raw the raw form", async () => {
      await admin.call("SET", "cli:t", "a\x01\"b")
      expect((await cli(["-p", port, "--no-raw", "get", "cli:t"])).stdout).toBe("\"a\\x01\\\"b\"\n")
      expect((await cli(["-p", port, "--no-raw", "get", "cli:none"])).stdout).toBe("(nil)\n")
      expect((await cli(["-p", port, "--no-raw", "incr", "cli:n"])).stdout).toMatch(/^\(integer\) \d+\n$/)
      expect((await cli(["-p", port, "--no-raw", "mget", "cli:t", "cli:none"])).stdout).toBe(
        "1) \"a\\x01\\\"b\"\n2) (nil)\n"
      )
      expect((await cli(["-p", port, "--raw", "mget", "cli:t", "cli:none"])).stdout).toBe("a\x01\"b\n\n")
    })

    it("any other command passes through, words starting with '-' included", async () => {
      await admin.call("DEL", "cli:neg")
      expect((await cli(["-p", port, "set", "cli:neg", "-5"])).stdout).toBe("OK\n")
      expect((await cli(["-p", port, "INCRBY", "cli:neg", "-10"])).stdout).toBe("-15\n")
      expect((await cli(["-p", port, "--no-raw", "decrby", "cli:neg", "-1"])).stdout).toBe("(integer) -14\n")
      expect((await cli(["-p", port, "send", "strlen", "cli:neg"])).stdout).toBe("3\n")
      const error = await cli(["-p", port, "--no-raw", "nosuch", "a", "-b"])
      expect(error).toMatchObject({ code: 0, stdout: "(error) ERR unknown command 'nosuch', with args beginning with: 'a' '-b' \n" })
    })

    it.runIf(hasRedisCli)("prints exactly what redis-cli prints", async () => {
      await admin.call("DEL", "cli:same", "cli:num")
      await admin.call("SET", "cli:num", "41")
      // Piped stdout (raw) and --no-raw (the TTY form); --raw is the piped form. (The REPL test
      // below compares many more replies in one launch.)
      for (const mode of [[], ["--no-raw"]]) {
        await sameAsRedisCli([...mode, "set", "cli:same", "caf\u00e9 \u0001"])
        await sameAsRedisCli([...mode, "mget", "cli:same", "cli:missing", "cli:num"])
        await sameAsRedisCli([...mode, "incr", "cli:same"])
      }
    }, 60_000)

    it("a subcommand missing an argument prints what is missing and exits 1", async () => {
      const missing = await cli(["-p", port, "get"])
      expect(missing.code).toBe(1)
      expect(missing.stderr).toMatch(/^Missing argument <key>\n/)
      expect((await cli(["-p", port, "subscribe"])).stderr).toMatch(/^Missing argument <channel>\n/)
    })

    it("-h/--host, -p/--port, -n/--db", async () => {
      await admin.call("SELECT", "7")
      await admin.call("SET", "cli:db7", "seven")
      await admin.call("SELECT", "0")
      expect((await cli(["-h", "127.0.0.1", "-p", port, "-n", "7", "get", "cli:db7"])).stdout).toBe("seven\n")
      expect((await cli(["--host", "127.0.0.1", "--port", port, "--db", "7", "get", "cli:db7"])).stdout).toBe("seven\n")
      expect((await cli(["-p", port, "get", "cli:db7"])).stdout).toBe("\n")
    })

    it("-a/--password authenticates; a wrong password is one line and exit code 1", async () => {
      await admin.call("CONFIG", "SET", "requirepass", "pw")
      try {
        expect((await cli(["-p", port, "-a", "pw", "ping"])).stdout).toBe("PONG\n")
        expect((await cli(["-p", port, "--password", "pw", "ping"])).stdout).toBe("PONG\n")
        const wrong = await cli(["-p", port, "-a", "nope", "ping"])
        expect(wrong).toEqual({
          code: 1,
          stdout: "",
          stderr: "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n"
        })
      } finally {
        await admin.call("CONFIG", "SET", "requirepass", "")
      }
    })

    it("a bad database is one line and exit code 1", async () => {
      expect(await cli(["-p", port, "-n", "100000", "ping"])).toEqual({
        code: 1,
        stdout: "",
        stderr: "SELECT 100000 failed: ERR DB index is out of range\n"
      })
    })
  })

  describe("REPL from a pipe", () => {
    const script = [
      "set cli:r 1",
      "",
      "get cli:r",
      "   ",
      "\"unbalanced",
      "get \"cli:r",
      "set 'cli:q' \"tab\\there\\x41\\xff\"",
      "get cli:q",
      "set cli:s 'it\\'s'",
      "get cli:s",
      "ping \"a\"b",
      "nosuch x",
      "3 incr cli:rep",
      "mget cli:r cli:missing cli:rep",
      "keys cli:nothing*",
      "select 3",
      "get cli:r",
      "quit",
      "get cli:r"
    ].join("\n") + "\n"

    it("runs one command per line with redis-cli's quoting, raw and --no-raw", async () => {
      const reset = () => admin.call("DEL", "cli:rep")
      const raw = await sameAsRedisCli([], script, reset)
      expect(raw.stdout).toBe(
        "OK\n1\nInvalid argument(s)\nInvalid argument(s)\nOK\ntab\there\x41\xff\nOK\nit's\nInvalid argument(s)\n" +
          "ERR unknown command 'nosuch', with args beginning with: 'x' \n\n1\n2\n3\n1\n\n3\n\nOK\n\n"
      )
      const tty = await sameAsRedisCli(["--no-raw"], script, reset)
      expect(tty.stdout).toBe(
        "OK\n\"1\"\nInvalid argument(s)\nInvalid argument(s)\nOK\n\"tab\\thereA\\xff\"\nOK\n\"it's\"\nInvalid argument(s)\n" +
          "(error) ERR unknown command 'nosuch', with args beginning with: 'x' \n(integer) 1\n(integer) 2\n(integer) 3\n" +
          "1) \"1\"\n2) (nil)\n3) \"3\"\n(empty array)\nOK\n(nil)\n"
      )
      expect(tty.code).toBe(0)
    })

    it("ends at the end of input with exit code 0", async () => {
      expect(await cli(["-p", port], "ping\n")).toEqual({ code: 0, stdout: "PONG\n", stderr: "" })
      expect(await cli(["-p", port], "")).toEqual({ code: 0, stdout: "", stderr: "" })
    })

    it("after a drop the next command reconnects; a server that stays away is reported and the REPL goes on", async () => {
      const proxy = await TcpProxy.start(server.port)
      try {
        const child = spawn(process.execPath, [CLI, "-p", String(proxy.port)], { stdio: ["pipe", "pipe", "pipe"] })
        children.push(child)
        let stdout = ""
        let stderr = ""
        child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
        child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
        const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
        const until = async (done: () => boolean) => {
          for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
          expect(done(), `stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`).toBe(true)
        }
        child.stdin!.write("echo one\n")
        await until(() => stdout === "one\n")
        proxy.dropConnections()
        // The first command may still meet the dead connection; the second meets a new one.
        child.stdin!.write("echo two\necho three\n")
        await until(() => stdout.endsWith("three\n"))
        expect(["", "Error: Server closed the connection\n"]).toContain(stderr)
        stderr = ""
        await proxy.stopListening()
        // Again the first command may meet the connection that just dropped; the next one finds
        // nothing to reconnect to.
        const refused = `Could not connect to Redis at 127.0.0.1:${proxy.port}: Connection refused\n`
        for (let attempt = 0; attempt < 2 && !stderr.endsWith(refused); attempt++) {
          const before = stderr.length
          child.stdin!.write("echo four\n")
          await until(() => stderr.length > before)
        }
        expect(stderr).toMatch(/^(Error: Server closed the connection\n)*Could not connect to Redis at .*: Connection refused\n$/)
        await proxy.listen()
        child.stdin!.end("echo five\n")
        expect(await exited).toBe(0)
        expect(stdout).toMatch(/^one\n(two\n)?three\nfive\n$/)
      } finally {
        await proxy.close()
      }
    })

    it("a refused connection is one line and exit code 1", async () => {
      const closed = String(await freePort())
      const refused = await cli(["-p", closed], "ping\n")
      expect(refused).toEqual({
        code: 1,
        stdout: "",
        stderr: `Could not connect to Redis at 127.0.0.1:${closed}: Connection refused\n`
      })
      expect(await cli(["-p", closed, "get", "k"])).toEqual(refused)
    })
  })

  describe.runIf(hasScript)("REPL on a terminal", () => {
    it("prompt, TTY replies, history (in memory and in the history file), Ctrl+C", async () => {
      const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-cli-"))
      const historyPath = path.join(historyDir, "history")
      fs.writeFileSync(historyPath, "get from-last-time\n")
      try {
        const pty = new Pty([process.execPath, CLI, "-p", port], { REDFIBER_CLI_HISTFILE: historyPath })
        const prompt = `127.0.0.1:${port}> `
        await pty.waitFor(prompt)
        pty.type("set cli:pty \"hello world\"\r")
        await pty.waitFor("OK\n")
        await pty.waitFor(prompt, 2)
        pty.type("get cli:pty\r")
        await pty.waitFor("\"hello world\"\n")
        await pty.waitFor(prompt, 3)
        // ↑ recalls the last line; Enter runs it again.
        pty.type("\x1b[A\r")
        await pty.waitFor("\"hello world\"\n", 2)
        await pty.waitFor(prompt, 4)
        pty.type("mget cli:pty cli:none\r")
        await pty.waitFor("1) \"hello world\"\n2) (nil)\n")
        pty.type("auth someone secret\r")
        await pty.waitFor("(error) ")
        pty.type("select 2\r")
        await pty.waitFor(`127.0.0.1:${port}[2]> `)
        pty.type("\x03")
        expect(await pty.exited).toBe(0)
        expect(fs.readFileSync(historyPath, "utf8")).toBe(
          "get from-last-time\nset cli:pty \"hello world\"\nget cli:pty\nget cli:pty\nmget cli:pty cli:none\nselect 2\n"
        )
      } finally {
        fs.rmSync(historyDir, { recursive: true, force: true })
      }
    })

    it("history from the file is there from the start", async () => {
      const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-cli-"))
      const historyPath = path.join(historyDir, "history")
      fs.writeFileSync(historyPath, "echo older\necho \"from the file\"\n")
      try {
        await admin.call("SET", "cli:hist", "x")
        const pty = new Pty([process.execPath, CLI, "-p", port], { REDFIBER_CLI_HISTFILE: historyPath })
        await pty.waitFor(`127.0.0.1:${port}> `)
        pty.type("\x1b[A\r")
        await pty.waitFor("\"from the file\"\n")
        pty.type("quit\r")
        expect(await pty.exited).toBe(0)
      } finally {
        fs.rmSync(historyDir, { recursive: true, force: true })
      }
    })
  })

  describe("subscribe", () => {
    const subscribeUntilCtrlC = async (args: ReadonlyArray<string>, publish: () => Promise<void>) => {
      const child = spawn(process.execPath, [CLI, "-p", port, ...args], { stdio: ["ignore", "pipe", "pipe"] })
      children.push(child)
      let stdout = ""
      child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("latin1")))
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
      // Subscribed once the server counts the subscriber.
      for (let i = 0; i < 500; i++) {
        const numsub = await admin.call("PUBSUB", "NUMSUB", "cli:ch1")
        if (numsub.kind === "array" && numsub.value?.[1]?.value === "1") break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await publish()
      for (let i = 0; i < 500 && !stdout.includes("\"a\\x01b\"") && !stdout.endsWith(`a\x01b\n`); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      child.kill("SIGINT")
      return { stdout, code: await exited }
    }

    it("prints every message until Ctrl+C, then exits 0 (raw and TTY forms)", async (ctx) => {
      if (!(await knows("subscribe"))) return ctx.skip()
      const publish = async () => {
        await admin.call("PUBLISH", "cli:ch1", "hello")
        await admin.call("PUBLISH", "cli:other", "not this")
        await admin.call("PUBLISH", "cli:ch2", "a\x01b")
      }
      const raw = await subscribeUntilCtrlC(["subscribe", "cli:ch1", "cli:ch2"], publish)
      expect(raw).toMatchObject({
        code: 0,
        stdout: "subscribe\ncli:ch1\n1\nsubscribe\ncli:ch2\n2\nmessage\ncli:ch1\nhello\nmessage\ncli:ch2\na\x01b\n"
      })
      const tty = await subscribeUntilCtrlC(["--no-raw", "subscribe", "cli:ch1", "cli:ch2"], publish)
      expect(tty).toMatchObject({
        code: 0,
        stdout: "Reading messages... (press Ctrl-C to quit)\n" +
          "1) \"subscribe\"\n2) \"cli:ch1\"\n3) (integer) 1\n" +
          "1) \"subscribe\"\n2) \"cli:ch2\"\n3) (integer) 2\n" +
          "1) \"message\"\n2) \"cli:ch1\"\n3) \"hello\"\n" +
          "1) \"message\"\n2) \"cli:ch2\"\n3) \"a\\x01b\"\n"
      })
      // Ctrl+C closed the subscription.
      expect(await admin.call("PUBSUB", "NUMSUB", "cli:ch1")).toEqual({
        kind: "array",
        value: [{ kind: "bulk", value: "cli:ch1" }, { kind: "integer", value: "0" }]
      })
    })

    it("SUBSCRIBE typed in the REPL prints messages too", async (ctx) => {
      if (!(await knows("subscribe"))) return ctx.skip()
      const child = spawn(process.execPath, [CLI, "-p", port], { stdio: ["pipe", "pipe", "pipe"] })
      children.push(child)
      let stdout = ""
      child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("latin1")))
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
      child.stdin!.write("ping\nsubscribe cli:repl\n")
      while (!stdout.includes("cli:repl\n1\n")) await new Promise((resolve) => setTimeout(resolve, 20))
      await admin.call("PUBLISH", "cli:repl", "m")
      while (!stdout.endsWith("message\ncli:repl\nm\n")) await new Promise((resolve) => setTimeout(resolve, 20))
      child.kill("SIGINT")
      expect(await exited).toBe(0)
      expect(stdout).toBe("PONG\nsubscribe\ncli:repl\n1\nmessage\ncli:repl\nm\n")
    })
  })
})
