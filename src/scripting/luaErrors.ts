/**
 * Errors inside the Lua VM as Redis 7.0 raises and words them: its error tables, positions,
 * Lua 5.1's wording of 5.3's messages, and the reply to a script that failed.
 */
import fengari from "fengari"
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import { pushErrorTable } from "./conversions.js"
import { byteText, luaBytes } from "./luaText.js"

const { lua, lauxlib } = fengari

/** Raises Redis's error table for `message` (luaPushError + luaError: no position in the text). */
export const raiseTable = (L: unknown, message: string): number => {
  pushErrorTable(L, message)
  return lua.lua_error(L)
}

/** luaL_error with the caller's position ("user_script:1: "), the message taken literally. */
export const raiseWithPosition = (L: unknown, message: string): number => {
  lauxlib.luaL_where(L, 1)
  lua.lua_pushstring(L, luaBytes(message))
  lua.lua_concat(L, 2)
  return lua.lua_error(L)
}

/** Lua 5.3's "attempt to index a nil value (local 't')" as 5.1 words it: "attempt to index local 't' (a nil value)". */
export const lua51Wording = (message: string): string =>
  message.replace(/attempt to (.+?) a (\w+) value \((\w+) '([^']*)'\)/, "attempt to $1 $3 '$4' (a $2 value)")

/** The reply to a script's error, Redis 7.0's way: "<message> script: <name>, on <source>:<line>." */
export const writeScriptError = (L: unknown, name: string, out: ReplyWriter): void => {
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
    const text = lua.lua_tolstring(L, -1)
    out.error(`ERR Error running script (call to ${name}): @${text === null ? "?" : byteText(text)}`)
    return
  }
  const field = (key: string): string | undefined => {
    lua.lua_getfield(L, -1, luaBytes(key))
    const text = lua.lua_type(L, -1) === lua.LUA_TNIL ? undefined : lua.lua_tolstring(L, -1)
    lua.lua_pop(L, 1)
    return text === undefined || text === null ? undefined : byteText(text)
  }
  let message = field("err")
  const source = field("source")
  const line = field("line")
  if (message === undefined) return out.error("ERR unknown error")
  message = lua51Wording(message)
  if (source !== undefined && line !== undefined) out.error(`${message} script: ${name}, on ${source}:${line}.`)
  else out.error(message)
}
