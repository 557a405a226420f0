// Emits the library's declarations (tsconfig.build.json) into dist/, then deletes the .d.ts files
// that dist/index.d.ts does not reach: tsc declares every module the sources import, most of which
// (command handlers, codecs ...) no public type mentions.
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from "node:fs"
import { dirname, join, resolve } from "node:path"

execFileSync(join("node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], { stdio: "inherit" })

const reachable = new Set()
const visit = (file) => {
  if (reachable.has(file) || !existsSync(file)) return
  reachable.add(file)
  const text = readFileSync(file, "utf8")
  for (const [, specifier] of text.matchAll(/(?:from |import\(|import )"(\.{1,2}\/[^"]+)\.js"/g)) {
    visit(resolve(dirname(file), `${specifier}.d.ts`))
  }
}
visit(resolve("dist/index.d.ts"))

let removed = 0
const prune = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = resolve(dir, entry.name)
    if (entry.isDirectory()) {
      prune(full)
      if (readdirSync(full).length === 0) rmdirSync(full)
    } else if (entry.name.endsWith(".d.ts") && !reachable.has(full)) {
      unlinkSync(full)
      removed++
    }
  }
}
prune(resolve("dist"))
console.log(`declarations: ${reachable.size} kept, ${removed} unreachable from dist/index.d.ts removed`)
