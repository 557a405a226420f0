// Bundles the server, the CLI and the AOF checker (fast start: one file each, no module
// resolution at launch) and the library. `--if-stale` skips the build when dist/ is newer than
// every input (src/, this script, package.json, the lockfile): `pnpm start` then launches at once.
//
// Each executable is a CommonJS bundle (`dist/<name>.cjs`) behind a small launcher
// (`dist/<name>.js`) that compiles it through V8's code cache: the first run stores the
// compiled code under the user's cache directory (`$XDG_CACHE_HOME/redfiber` or
// `~/.cache/redfiber`; never next to the bundle, which may sit read-only in node_modules), later
// runs skip parsing and compiling it. V8 rejects a cache from another build or Node version; it
// is then written again. `REDFIBER_CODE_CACHE=0` turns it off.
//
// Source maps are written next to the bundles for local debugging (`node --enable-source-maps`)
// but not linked from them, and package.json's `files` leaves them out of the tarball.
import { readdirSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const stampFile = "dist/.build-stamp"

const newestMtime = (path) => {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

const isCurrent = () => {
  try {
    const built = statSync(stampFile).mtimeMs
    return ["src", "scripts/build.mjs", "package.json", "pnpm-lock.yaml"].every((input) => newestMtime(input) < built)
  } catch {
    return false
  }
}

if (process.argv.includes("--if-stale") && isCurrent()) process.exit(0)
// Loaded only when building: the check above stays a bare `node` start.
const { build } = await import("esbuild")

const common = { bundle: true, platform: "node", target: "node22", sourcemap: "external", logLevel: "warning" }

// The server's young generation. V8 lets each semi-space grow to 16 MB, RSS the server then keeps:
// for 100 000 small collections that is a third to a half of its memory growth, at no measurable CPU cost
// per command when smaller (bench/README.md). Its maximum can only be set at launch (`pnpm start`
// passes `--max-semi-space-size`); without one the launcher stops the growth at V8's initial
// 1 MB semi-spaces (the one limit still settable once running). A semi-space flag given to node
// or in NODE_OPTIONS wins.
const youngGeneration = `import { setFlagsFromString } from "node:v8"
const youngGenerationFlag = /^--(?:max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/
if (![...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\\s+/)].some((flag) => youngGenerationFlag.test(flag))) {
  setFlagsFromString("--semi-space-growth-factor=1")
}
`

const launcher = (name, preamble = "") => `#!/usr/bin/env node
// Runs ${name}.cjs through V8's code cache (see scripts/build.mjs).
${preamble}import { createHash } from "node:crypto"
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Script } from "node:vm"

const here = dirname(fileURLToPath(import.meta.url))
const file = join(here, "${name}.cjs")
// In a function: the bundle's text and the cache's bytes (a megabyte or two each) are garbage once
// compiled, and the module scope would keep them for the life of the process.
const compile = () => {
  const source = readFileSync(file, "utf8")
  // One cache file per installed bundle, so two installs do not keep replacing each other's.
  const cacheDir = process.env.REDFIBER_CODE_CACHE === "0"
    ? undefined
    : join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "redfiber")
  const cacheFile = cacheDir && join(cacheDir, \`${name}-\${createHash("sha1").update(file).digest("hex").slice(0, 16)}.cache\`)
  // V8 checks a cache against the source's length only: a rebuilt bundle of the same length would
  // run the old code. The cache starts with the bundle's mtime and size, and is used only if they match.
  const stamp = Buffer.from(\`\${statSync(file).mtimeMs} \${source.length}\\n\`)
  let cachedData
  if (cacheFile) {
    try {
      const stored = readFileSync(cacheFile)
      if (stored.subarray(0, stamp.length).equals(stamp)) cachedData = stored.subarray(stamp.length)
    } catch {}
  }
  const script = new Script(\`(function (exports, require, module, __filename, __dirname) {\${source}\\n})\`, { filename: file, cachedData })
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    // Once the program has started (the code it compiled on the way is then in the cache), or at exit.
    let written = false
    const store = () => {
      if (written) return
      written = true
      try {
        mkdirSync(cacheDir, { recursive: true })
        const temporary = \`\${cacheFile}.\${process.pid}\`
        writeFileSync(temporary, Buffer.concat([stamp, script.createCachedData()]))
        renameSync(temporary, cacheFile)
      } catch {
        // No writable cache directory: run without the cache.
      }
    }
    setTimeout(store, 2000).unref()
    process.once("exit", store)
  }
  return script.runInThisContext()
}
const module = { exports: {} }
compile()(module.exports, createRequire(file), module, file, here)
`

const executable = async (name, entryPoint, preamble) => {
  // Minified: start-up time is parse time (a 580 KB bundle parses ~10% slower than 310 KB).
  // The bundled packages' license comments go to `<name>.cjs.LEGAL.txt`: esbuild writes the code as
  // ASCII, but a comment keeps its text, and one character past Latin-1 (fengari's "1994–2017")
  // makes V8 hold the whole bundle's source, which it keeps for the process's life, at two bytes
  // a character (1 MB more).
  await build({ ...common, format: "cjs", minify: true, legalComments: "external", entryPoints: [entryPoint], outfile: `dist/${name}.cjs` })
  writeFileSync(`dist/${name}.js`, launcher(name, preamble), { mode: 0o755 })
}

const started = Date.now()
await Promise.all([
  executable("redfiber-server", "src/main.ts", youngGeneration),
  executable("redfiber-cli", "src/cli/main.ts"),
  executable("redfiber-check-aof", "src/tools/check-aof.ts"),
  // The library leaves effect (a peer dependency) to the app and bundles the rest (fengari, ...).
  // Bundled CommonJS modules require Node's built-ins (fengari: `os`): an ES module has no
  // `require` of its own, so the bundle makes one.
  build({
    ...common,
    format: "esm",
    entryPoints: ["src/index.ts"],
    outfile: "dist/index.js",
    external: ["effect", "effect/*"],
    banner: { js: 'import { createRequire as __createRequire } from "node:module"\nconst require = __createRequire(import.meta.url)' }
  })
])
// Stamped with the time the build started: a source saved during the build makes it stale.
writeFileSync(stampFile, "")
utimesSync(stampFile, started / 1000, started / 1000)
