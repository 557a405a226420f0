/**
 * Reads an append-only file command by command, as Redis's loader reads one: every command is a
 * RESP array (`*<n>`) of bulk strings (`$<len>`), n ≥ 1. The file is read in chunks, so memory
 * follows the largest command, not the file.
 *
 * The reader tells the two ways a file can be damaged apart, because they are handled apart:
 * - it ends in the middle of a command (a crash while appending): `truncated` with the offset
 *   where the last whole command ends — loading keeps everything before it (Redis's
 *   aof-load-truncated yes);
 * - bytes that are not a command where one should start, or a bad header: `corrupt` with the
 *   offset of the command it is in — nothing is loaded, the file needs repair (redfiber-check-aof).
 * A transaction (MULTI … EXEC) cut off by the end of the file counts as truncated before MULTI.
 */
import * as fs from "node:fs"

const CHUNK = 4 * 1024 * 1024
/** The longest header line (`*<n>` or `$<len>`) accepted. */
const MAX_HEADER = 64

export type AofEntry =
  | { readonly kind: "command"; readonly argv: Array<string>; readonly offset: number }
  | { readonly kind: "truncated"; readonly validBytes: number; readonly fileBytes: number }
  | { readonly kind: "corrupt"; readonly offset: number; readonly reason: string }
  | { readonly kind: "end"; readonly fileBytes: number }

/** Iterates the commands of the file at `filePath`; the last entry says how it ended. */
export function* readAof(filePath: string): Generator<AofEntry> {
  const fd = fs.openSync(filePath, "r")
  try {
    const fileBytes = fs.fstatSync(fd).size
    let buf = Buffer.alloc(0)
    /** File offset of buf[0]. */
    let base = 0
    let eof = false
    /** Where the pending MULTI started (-1: none). */
    let multiStart = -1

    /** Makes at least `count` bytes from `at` available; false at end of file. */
    const ensure = (at: number, count: number): boolean => {
      while (buf.length - at < count) {
        if (eof) return false
        const chunk = Buffer.allocUnsafe(Math.max(CHUNK, count))
        const read = fs.readSync(fd, chunk, 0, chunk.length, base + buf.length)
        if (read === 0) {
          eof = true
          return false
        }
        buf = Buffer.concat([buf, chunk.subarray(0, read)])
      }
      return true
    }

    /** Reads `<prefix><integer>\r\n` at `at`: [value, next] | "eof" | reason. */
    const header = (at: number, prefix: number): [number, number] | "eof" | string => {
      let end = -1
      for (let scanned = 0; end < 0; scanned++) {
        if (!ensure(at, scanned + 2)) return "eof"
        if (buf[at + scanned] === 13 && buf[at + scanned + 1] === 10) end = at + scanned
        if (scanned > MAX_HEADER) return "a header line that does not end"
      }
      if (buf[at] !== prefix) return `expected '${String.fromCharCode(prefix)}'`
      const text = buf.latin1Slice(at + 1, end)
      if (!/^-?[0-9]+$/.test(text)) return `a bad number '${text}'`
      return [Number(text), end + 2]
    }

    for (;;) {
      // Drop what was consumed, so the buffer holds one command at most.
      const start = base
      if (!ensure(0, 1)) {
        if (multiStart >= 0) return yield { kind: "truncated", validBytes: multiStart, fileBytes }
        return yield { kind: "end", fileBytes }
      }
      const count = header(0, 42 /* '*' */)
      if (count === "eof") return yield { kind: "truncated", validBytes: multiStart >= 0 ? multiStart : start, fileBytes }
      if (typeof count === "string") return yield { kind: "corrupt", offset: start, reason: count }
      if (count[0] < 1) return yield { kind: "corrupt", offset: start, reason: "a command without arguments" }
      const argv: Array<string> = []
      let at = count[1]
      let cut = false
      for (let i = 0; i < count[0]; i++) {
        const length = header(at, 36 /* '$' */)
        if (length === "eof") {
          cut = true
          break
        }
        if (typeof length === "string") return yield { kind: "corrupt", offset: start, reason: length }
        if (length[0] < 0) return yield { kind: "corrupt", offset: start, reason: "a negative bulk length" }
        at = length[1]
        if (!ensure(at, length[0] + 2)) {
          cut = true
          break
        }
        argv.push(buf.latin1Slice(at, at + length[0]))
        at += length[0] + 2
      }
      if (cut) return yield { kind: "truncated", validBytes: multiStart >= 0 ? multiStart : start, fileBytes }
      buf = buf.subarray(at)
      base += at
      const name = argv[0].toLowerCase()
      if (name === "multi") multiStart = start
      else if (name === "exec") multiStart = -1
      yield { kind: "command", argv, offset: start }
    }
  } finally {
    fs.closeSync(fd)
  }
}
