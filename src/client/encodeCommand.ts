/**
 * Commands as RESP2 multibulk requests. A command is encoded to one string when all its
 * arguments are text (the common case: the batch is then joined and written as one string), or
 * to a Buffer when it carries binary arguments.
 */
import type { RedisArg } from "./RespValue.js"

export type EncodedCommand = string | Buffer

const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false
  return true
}

export const encodeCommand = (args: ReadonlyArray<RedisArg>): EncodedCommand => {
  let text = `*${args.length}\r\n`
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (typeof arg === "string") {
      // The declared length is in bytes: UTF-8 text may be longer than its length in chars.
      text += `$${isAscii(arg) ? arg.length : Buffer.byteLength(arg, "utf8")}\r\n${arg}\r\n`
    } else if (typeof arg === "number" || typeof arg === "bigint") {
      const digits = String(arg)
      text += `$${digits.length}\r\n${digits}\r\n`
    } else {
      return encodeBinary(args)
    }
  }
  return text
}

const encodeBinary = (args: ReadonlyArray<RedisArg>): Buffer => {
  const parts: Array<Buffer> = [Buffer.from(`*${args.length}\r\n`)]
  for (const arg of args) {
    const bytes = typeof arg === "string"
      ? Buffer.from(arg, "utf8")
      : typeof arg === "number" || typeof arg === "bigint"
      ? Buffer.from(String(arg))
      : Buffer.isBuffer(arg)
      ? arg
      : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength)
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF)
  }
  return Buffer.concat(parts)
}

const CRLF = Buffer.from("\r\n")

/** One write for a batch of encoded commands. */
export const joinCommands = (commands: ReadonlyArray<EncodedCommand>): EncodedCommand => {
  if (commands.length === 1) return commands[0]
  let allText = true
  for (const command of commands) if (typeof command !== "string") allText = false
  if (allText) return commands.join("")
  return Buffer.concat(commands.map((command) => (typeof command === "string" ? Buffer.from(command, "utf8") : command)))
}
