// The published package as a consumer sees it: `pnpm pack`, install the tarball into a fresh
// project next to our effect, type-check the fixture (test/package/consumer) with strict flags and
// skipLibCheck off, run it (server Layer on port 0, SET/GET through RedisClient), run a bin, and
// check that nothing was written into the installed package.
import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")
const work = mkdtempSync(join(tmpdir(), "redfiber-package-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })

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
  it("packs dist only, type-checks strictly, runs, and writes nothing into node_modules", () => {
    // prepack rebuilds the bundles if sources changed since the last build, and the declarations.
    const packDir = join(work, "pack")
    mkdirSync(packDir)
    run("pnpm", ["pack", "--pack-destination", packDir], root)
    const [tarball] = readdirSync(packDir)
    expect(tarball).toMatch(/^redfiber-.*\.tgz$/)
    const tarballPath = join(packDir, tarball!)

    // The tarball: dist's code and declarations, the README, package.json; no sources, tests, maps.
    const listing = run("tar", ["tzvf", tarballPath], work).trim().split("\n").map((line) => {
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
    expect(listing.filter((file) => file.size > 1024 * 1024)).toEqual([])
    const manifest = JSON.parse(run("tar", ["xzOf", tarballPath, "package/package.json"], work))
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(Object.keys(manifest.peerDependencies)).toEqual(["effect"])

    // A fresh consumer: the tarball installed by npm (offline; its only dependency is the peer),
    // effect and @types/node linked from ours.
    const consumer = join(work, "consumer")
    cpSync(join(import.meta.dirname, "consumer"), consumer, { recursive: true })
    run("npm", ["install", "--offline", "--legacy-peer-deps", "--no-audit", "--no-fund", "--no-package-lock", tarballPath], consumer)
    mkdirSync(join(consumer, "node_modules/@types"), { recursive: true })
    symlinkSync(realpathSync(join(root, "node_modules/effect")), join(consumer, "node_modules/effect"))
    symlinkSync(realpathSync(join(root, "node_modules/@types/node")), join(consumer, "node_modules/@types/node"))
    const installed = join(consumer, "node_modules/redfiber")
    const before = snapshot(installed)

    // strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck: false.
    const compiled = run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json", "--listFiles"], consumer)
    expect(compiled).toContain(join(installed, "dist/index.d.ts"))

    const cacheHome = join(work, "cache")
    const output = run("node", ["out/main.js"], consumer, { XDG_CACHE_HOME: cacheHome })
    const result = JSON.parse(output.trim().split("\n").at(-1)!)
    expect(result.value).toBe("hello ada")
    expect(result.port).toBeGreaterThan(0)

    // The server bin keeps its code cache under the cache home, not in the package.
    expect(run(join(consumer, "node_modules/.bin/redfiber-server"), ["--version"], consumer, { XDG_CACHE_HOME: cacheHome }))
      .toMatch(/^redfiber-server v=/)
    expect(readdirSync(join(cacheHome, "redfiber")).filter((name) => name.startsWith("redfiber-server-"))).toHaveLength(1)
    expect(snapshot(installed)).toEqual(before)
  }, 300_000)
})
