// The published package as a consumer sees it: `pnpm pack`, install the tarball into a fresh
// project next to our effect, type-check the fixture (test/package/consumer) with strict flags and
// skipLibCheck off, run it (server Layer on port 0, SET/GET through RedisClient), run a bin, and
// check that nothing was written into the installed package.
import { execFile } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")
const work = mkdtempSync(join(tmpdir(), "redfiber-package-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// Asynchronous: a worker blocked for a minute misses vitest's own messages.
const run = async (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}) =>
  (await promisify(execFile)(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env } })).stdout

/** Every file under `dir` with its size and modification time. */
const snapshot = (dir: string): Map<string, string> => {
  const files = new Map<string, string>()
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name)
      if (entry.isDirectory()) walk(full)
      else {
        const stat = statSync(full)
        files.set(relative(dir, full), `${stat.size} ${stat.mtimeMs}`)
      }
    }
  }
  walk(dir)
  return files
}

describe("the packed package in a consumer project", () => {
  it("packs dist only, type-checks strictly, runs, and writes nothing into node_modules", async () => {
    // prepack rebuilds the bundles if sources changed since the last build, and the declarations
    // (scripts/build-types.mjs).
    const packDir = join(work, "pack")
    mkdirSync(packDir)
    await run("pnpm", ["pack", "--pack-destination", packDir], root)
    const [tarball] = readdirSync(packDir)
    expect(tarball).toMatch(/^redfiber-.*\.tgz$/)
    const tarballPath = join(packDir, tarball!)

    // The tarball: dist's code and declarations, the README, package.json; no sources, tests, maps.
    const listing = (await run("tar", ["tzvf", tarballPath], work)).trim().split("\n").map((line) => {
      const fields = line.trim().split(/\s+/)
      return { size: Number(fields[2]), path: fields[fields.length - 1]! }
    })
    const paths = listing.map((file) => file.path)
    expect(paths).toEqual(expect.arrayContaining([
      "package/package.json",
      "package/README.md",
      "package/dist/index.js",
      "package/dist/index.d.ts",
      "package/dist/redfiber-server.js",
      "package/dist/redfiber-server.cjs",
      "package/dist/redfiber-cli.js",
      "package/dist/redfiber-check-aof.js"
    ]))
    const unexpected = paths.filter((path) =>
      !(path.startsWith("package/dist/") || path === "package/README.md" || path === "package/package.json")
    )
    expect(unexpected).toEqual([])
    expect(paths.filter((path) => path.endsWith(".map") || path.includes("/."))).toEqual([])
    // The library bundles its own dependencies (the Lua VM among them): about 1.6 MB unminified.
    expect(listing.filter((file) => file.size > 2 * 1024 * 1024)).toEqual([])
    const manifest = JSON.parse(await run("tar", ["xzOf", tarballPath, "package/package.json"], work))
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(Object.keys(manifest.peerDependencies)).toEqual(["effect"])

    // A fresh consumer: the tarball installed by npm (offline; its only dependency is the peer),
    // effect and @types/node linked from ours.
    const consumer = join(work, "consumer")
    cpSync(join(import.meta.dirname, "consumer"), consumer, { recursive: true })
    await run("npm", ["install", "--offline", "--legacy-peer-deps", "--no-audit", "--no-fund", "--no-package-lock", tarballPath], consumer)
    mkdirSync(join(consumer, "node_modules/@types"), { recursive: true })
    symlinkSync(realpathSync(join(root, "node_modules/effect")), join(consumer, "node_modules/effect"))
    symlinkSync(realpathSync(join(root, "node_modules/@types/node")), join(consumer, "node_modules/@types/node"))
    const installed = join(consumer, "node_modules/redfiber")
    const before = snapshot(installed)

    // strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck: false.
    const compiled = await run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json", "--listFiles"], consumer)
    expect(compiled).toContain(join(installed, "dist/index.d.ts"))

    const cacheHome = join(work, "cache")
    const output = await run(process.execPath, ["out/main.js"], consumer, { XDG_CACHE_HOME: cacheHome })
    const result = JSON.parse(output.trim().split("\n").at(-1)!)
    expect(result.value).toBe("hello ada")
    expect(result.inProcess).toBe("hello ada")
    expect(result.set).toBe("hi")
    expect(result.port).toBeGreaterThan(0)
    expect(result.inProcessClient).toBe("hello grace")

    // The server bin keeps its code cache under the cache home, not in the package.
    // Its `#!/usr/bin/env node` finds this Node (22) first, not the machine's.
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`
    expect(await run(join(consumer, "node_modules/.bin/redfiber-server"), ["--version"], consumer, { XDG_CACHE_HOME: cacheHome, PATH: path }))
      .toMatch(/^redfiber-server v=/)
    expect(readdirSync(join(cacheHome, "redfiber")).filter((name) => name.startsWith("redfiber-server-"))).toHaveLength(1)
    expect(snapshot(installed)).toEqual(before)
  }, 300_000)
})
