/**
 * `redfiber-check-aof [--fix] FILE`: checks an append-only file command by command and says
 * where its valid part ends. With `--fix` (or `--repair`) it truncates the file there, saying
 * how many bytes and commands it drops — for a damaged tail (a crash while appending) and for
 * damage in the middle alike (everything from the first bad command on is dropped).
 *
 * Exit codes: 0 when the file is valid (or was fixed), 1 when it is damaged and not fixed,
 * 2 for bad usage or an unreadable file.
 */
import * as fs from "node:fs"
import { readAof } from "../persistence/AofReader.js"

const usage = "Usage: redfiber-check-aof [--fix|--repair] <file.aof>"

const main = (argv: ReadonlyArray<string>): number => {
  const fix = argv.includes("--fix") || argv.includes("--repair")
  const files = argv.filter((arg) => !arg.startsWith("--"))
  if (files.length !== 1 || argv.some((arg) => arg.startsWith("--") && arg !== "--fix" && arg !== "--repair")) {
    console.error(usage)
    return 2
  }
  const file = files[0]
  if (!fs.existsSync(file)) {
    console.error(`Cannot open file: ${file}`)
    return 2
  }
  let commands = 0
  let validBytes = 0
  let fileBytes = fs.statSync(file).size
  let problem: string | undefined
  for (const entry of readAof(file)) {
    if (entry.kind === "command") {
      commands++
      continue
    }
    if (entry.kind === "end") {
      validBytes = entry.fileBytes
      fileBytes = entry.fileBytes
    } else if (entry.kind === "truncated") {
      validBytes = entry.validBytes
      fileBytes = entry.fileBytes
      problem = `the file ends in the middle of a command (or of a MULTI/EXEC block) at offset ${entry.validBytes}`
    } else {
      validBytes = entry.offset
      problem = `bad format at offset ${entry.offset}: ${entry.reason}`
    }
  }
  // Commands after the cut (a MULTI block) were counted but are dropped with it.
  const kept = problem === undefined ? commands : countCommands(file, validBytes)
  console.log(`AOF analyzed: filename=${file}, size=${fileBytes}, ok_up_to=${validBytes}, diff=${fileBytes - validBytes}`)
  if (problem === undefined) {
    console.log(`AOF ${file} is valid (${commands} commands)`)
    return 0
  }
  console.log(`AOF ${file} is not valid: ${problem}`)
  if (!fix) {
    console.log(`Use --fix to truncate it to its first ${validBytes} bytes (${kept} commands).`)
    return 1
  }
  fs.truncateSync(file, validBytes)
  console.log(`Successfully truncated AOF ${file}: dropped ${fileBytes - validBytes} bytes, kept ${kept} commands`)
  return 0
}

/** Whole commands that end within the first `limit` bytes. */
const countCommands = (file: string, limit: number): number => {
  let count = 0
  let previous = -1
  for (const entry of readAof(file)) {
    if (entry.kind !== "command") break
    if (entry.offset >= limit) break
    if (previous >= 0) count++
    previous = entry.offset
  }
  // The last command read started before `limit`; it is whole if the file is valid up to there.
  return previous >= 0 ? count + 1 : 0
}

process.exitCode = main(process.argv.slice(2))
