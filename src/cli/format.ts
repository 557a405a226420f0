/**
 * Replies printed the way redis-cli 7.0 prints them (checked against the real `redis-cli`).
 *
 * Two modes, as in redis-cli: the TTY form when stdout is a terminal (or `--no-raw`), and the raw
 * form otherwise (or `--raw`):
 *
 *   TTY:  OK / (integer) 1 / "a\x00b" (escaped) / (nil) / (error) ERR ... / (empty array) /
 *         1) "a"            nested arrays indent by the width of their parent's index,
 *         2) 1) "b"         right-aligned indices (" 9)", "10)")
 *            2) (nil)
 *   raw:  values as they are, one per line; nil is an empty line; an error is its text and a
 *         newline; array elements are joined with newlines; the whole reply ends with a newline.
 *
 * Output is a byte string (latin1: char codes are the bytes), so values go out byte for byte.
 */
import { RedisReplyError } from "../client/errors.js"
import type { RespValue } from "../client/RespValue.js"

/** A value as C's sdscatrepr quotes it: printable ASCII kept, `\\ \" \n \r \t \a \b`, others `\xhh`. */
export const quoteBytes = (bytes: Buffer): string => {
  let out = "\""
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]
    switch (c) {
      case 0x5c:
        out += "\\\\"
        break
      case 0x22:
        out += "\\\""
        break
      case 0x0a:
        out += "\\n"
        break
      case 0x0d:
        out += "\\r"
        break
      case 0x09:
        out += "\\t"
        break
      case 0x07:
        out += "\\a"
        break
      case 0x08:
        out += "\\b"
        break
      default:
        out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`
    }
  }
  return out + "\""
}

/** The TTY form of a reply, each line ended by a newline. `prefix` indents nested array lines. */
export const formatTty = (reply: RespValue, prefix = ""): string => {
  if (reply === null) return "(nil)\n"
  if (Buffer.isBuffer(reply)) return quoteBytes(reply) + "\n"
  if (typeof reply === "string") return reply + "\n"
  if (typeof reply === "number" || typeof reply === "bigint") return `(integer) ${reply}\n`
  if (reply instanceof RedisReplyError) return `(error) ${reply.message}\n`
  const items = reply as ReadonlyArray<RespValue>
  if (items.length === 0) return "(empty array)\n"
  const width = String(items.length).length
  const nested = prefix + " ".repeat(width + 2)
  let out = ""
  for (let i = 0; i < items.length; i++) {
    // The first element goes on the line the parent already started (after its index).
    out += `${i === 0 ? "" : prefix}${String(i + 1).padStart(width)}) ${formatTty(items[i], nested)}`
  }
  return out
}

const rawBody = (reply: RespValue): string => {
  if (reply === null) return ""
  if (Buffer.isBuffer(reply)) return reply.latin1Slice()
  if (typeof reply === "string") return reply
  if (typeof reply === "number" || typeof reply === "bigint") return String(reply)
  if (reply instanceof RedisReplyError) return reply.message + "\n"
  return (reply as ReadonlyArray<RespValue>).map(rawBody).join("\n")
}

/** The raw form of a reply (what redis-cli prints when stdout is not a terminal). */
export const formatRaw = (reply: RespValue): string => rawBody(reply) + "\n"

export type OutputMode = "tty" | "raw"

export const formatReply = (reply: RespValue, mode: OutputMode): string =>
  mode === "tty" ? formatTty(reply) : formatRaw(reply)
