/**
 * Conversions between Redis replies and Lua values, as Redis 7.0 documents them.
 *
 * Reply -> Lua (what redis.call returns), in the protocol the script chose with redis.setresp:
 * integer -> number; bulk -> string; status -> {ok=...}; error -> {err=...}; array -> table;
 * RESP2 nulls -> false. RESP3 adds: null -> nil, double -> {double=n}, boolean -> boolean,
 * map -> {map={...}}, set -> {set={member=true}}, big number -> {big_number=text},
 * verbatim -> {verbatim_string={format=..., string=...}}.
 *
 * Lua -> reply (what a script returns), in the caller's protocol: number -> integer (truncated);
 * string -> bulk; true -> 1 (RESP3: true); false and nil -> null (RESP3: false, null); a table
 * with `err`/`ok`/`double`/`big_number`/`map`/`set`/`verbatim_string` -> that reply; any other
 * table -> array of its elements 1, 2, ... up to the first nil.
 */
import fengari from "fengari"
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import { byteText, formatG, luaBytes, pushByteRange } from "./luaText.js"

const { lua, lauxlib } = fengari

/** Lua strings of the field names the conversions use. */
export const FIELD = {
  err: luaBytes("err"),
  ok: luaBytes("ok"),
  double: luaBytes("double"),
  bigNumber: luaBytes("big_number"),
  map: luaBytes("map"),
  set: luaBytes("set"),
  verbatim: luaBytes("verbatim_string"),
  format: luaBytes("format"),
  string: luaBytes("string")
} as const

/** Deepest nested table a script's reply may have (Redis: the Lua stack's limit). */
const MAX_REPLY_DEPTH = 1000

/** Pushes `{field=value}` (value a byte string). */
const pushSingleField = (L: unknown, field: Uint8Array, value: string): void => {
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushstring(L, field)
  lua.lua_pushstring(L, luaBytes(value))
  lua.lua_rawset(L, -3)
}

/**
 * The error table a failed command gives a script (Redis's luaPushErrorBuff): "-CODE message"
 * keeps its code, a text without '-' gets ERR; a trailing line end is dropped.
 */
export const pushErrorTable = (L: unknown, text: string): void => {
  let message: string
  if (text.charCodeAt(0) === 45) {
    const space = text.indexOf(" ")
    message = space < 0 ? `ERR ${text.slice(1)}` : `${text.slice(1, space)} ${text.slice(space + 1)}`
  } else {
    message = `ERR ${text}`
  }
  message = message.replace(/^[\r\n]+|[\r\n]+$/g, "")
  pushSingleField(L, FIELD.err, message)
}

/** Where the line starting at `at` ends (its '\r'). */
const lineEnd = (bytes: Uint8Array, at: number): number => {
  let i = at
  while (bytes[i] !== 13) i++
  return i
}

/** The integer written in bytes [from, to) (RESP lengths, counts and integers). */
const integerAt = (bytes: Uint8Array, from: number, to: number): number => {
  const negative = bytes[from] === 45
  let i = negative ? from + 1 : from
  if (to - i > 15) return Number(byteText(bytes.subarray(from, to)))
  let value = 0
  for (; i < to; i++) value = value * 10 + bytes[i] - 48
  return negative ? -value : value
}

const lineText = (bytes: Uint8Array, from: number, to: number): string => byteText(bytes.subarray(from, to))

/**
 * Pushes the reply that starts at `at` in `bytes` (RESP, as the script's command wrote it) as a
 * Lua value; returns where the next reply starts. Strings are copied once, straight from the
 * reply's bytes into Lua's.
 */
export const pushReply = (L: unknown, bytes: Uint8Array, at: number): number => {
  const type = bytes[at]
  const end = lineEnd(bytes, at + 1)
  const next = end + 2
  switch (type) {
    case 58: // ':'
      lua.lua_pushnumber(L, integerAt(bytes, at + 1, end))
      return next
    case 36: { // '$'
      const length = integerAt(bytes, at + 1, end)
      if (length < 0) {
        lua.lua_pushboolean(L, false)
        return next
      }
      pushByteRange(L, bytes, next, next + length)
      return next + length + 2
    }
    case 43: // '+'
      pushSingleField(L, FIELD.ok, lineText(bytes, at + 1, end))
      return next
    case 45: // '-'
      pushSingleField(L, FIELD.err, lineText(bytes, at + 1, end))
      return next
    case 42: { // '*'
      const count = integerAt(bytes, at + 1, end)
      if (count < 0) {
        lua.lua_pushboolean(L, false)
        return next
      }
      lauxlib.luaL_checkstack(L, 4, luaBytes("reached lua stack limit"))
      lua.lua_createtable(L, count, 0)
      let position = next
      for (let i = 1; i <= count; i++) {
        position = pushReply(L, bytes, position)
        lua.lua_rawseti(L, -2, i)
      }
      return position
    }
    case 95: // '_'
      lua.lua_pushnil(L)
      return next
    case 35: // '#'
      lua.lua_pushboolean(L, bytes[at + 1] === 116)
      return next
    case 44: // ','
      lua.lua_createtable(L, 0, 1)
      lua.lua_pushstring(L, FIELD.double)
      lua.lua_pushnumber(L, parseDouble(lineText(bytes, at + 1, end)))
      lua.lua_rawset(L, -3)
      return next
    case 40: // '('
      pushSingleField(L, FIELD.bigNumber, lineText(bytes, at + 1, end))
      return next
    case 61: { // '='
      const length = integerAt(bytes, at + 1, end)
      lua.lua_createtable(L, 0, 1)
      lua.lua_pushstring(L, FIELD.verbatim)
      lua.lua_createtable(L, 0, 2)
      lua.lua_pushstring(L, FIELD.format)
      pushByteRange(L, bytes, next, next + 3)
      lua.lua_rawset(L, -3)
      lua.lua_pushstring(L, FIELD.string)
      pushByteRange(L, bytes, next + 4, next + length)
      lua.lua_rawset(L, -3)
      lua.lua_rawset(L, -3)
      return next + length + 2
    }
    case 37: // '%'
    case 126: { // '~'
      const count = integerAt(bytes, at + 1, end)
      const isMap = type === 37
      lauxlib.luaL_checkstack(L, 6, luaBytes("reached lua stack limit"))
      lua.lua_createtable(L, 0, 1)
      lua.lua_pushstring(L, isMap ? FIELD.map : FIELD.set)
      lua.lua_createtable(L, 0, count)
      let position = next
      for (let i = 0; i < count; i++) {
        position = pushReply(L, bytes, position)
        if (isMap) position = pushReply(L, bytes, position)
        else lua.lua_pushboolean(L, true)
        lua.lua_rawset(L, -3)
      }
      lua.lua_rawset(L, -3)
      return position
    }
    default:
      // No command replies with anything else (attributes, pushes); answer nil rather than guess.
      lua.lua_pushnil(L)
      return next
  }
}

const parseDouble = (text: string): number =>
  text === "inf" ? Infinity : text === "-inf" ? -Infinity : text === "nan" ? NaN : Number(text)

const INT64_MIN = "-9223372036854775808"

/** C's `(long long)x` for a Lua number, as x86-64 does it (out of range and NaN: INT64_MIN). */
const truncatedInteger = (x: number): number | string => {
  const t = Math.trunc(x)
  if (Number.isSafeInteger(t)) return t + 0
  if (!(t >= -9223372036854775808 && t < 9223372036854775808)) return INT64_MIN
  return BigInt(t).toString()
}

/** Reads string field `name` of the table at `index` without metamethods; undefined when not a string. */
const rawStringField = (L: unknown, index: number, name: Uint8Array): string | undefined => {
  lua.lua_pushstring(L, name)
  const type = lua.lua_rawget(L, index < 0 ? index - 1 : index)
  const value = type === lua.LUA_TSTRING ? byteText(lua.lua_tolstring(L, -1)) : undefined
  lua.lua_pop(L, 1)
  return value
}

/** A double reply, formatted as Redis's addReplyDouble ("%.17g", inf, -inf). */
const writeDouble = (out: ReplyWriter, x: number): void => {
  out.double(x === Infinity ? "inf" : x === -Infinity ? "-inf" : x !== x ? "nan" : formatG(x, 17))
}

/**
 * Writes the Lua value on top of the stack as a reply (Redis's luaReplyToRedisReply); pops
 * nothing. Booleans follow the script's protocol (`resp`, from redis.setresp): with 2, true is
 * 1 and false the caller's null; with 3, they are RESP3 booleans.
 */
export const writeLuaValue = (L: unknown, out: ReplyWriter, resp: number, depth = 0): void => {
  const type = lua.lua_type(L, -1)
  switch (type) {
    case lua.LUA_TSTRING:
      return out.bulk(byteText(lua.lua_tolstring(L, -1)))
    case lua.LUA_TBOOLEAN: {
      const value = lua.lua_toboolean(L, -1)
      if (resp === 3) return out.boolean(value)
      return value ? out.raw(":1\r\n") : out.nullBulk()
    }
    case lua.LUA_TNUMBER:
      return out.integer(truncatedInteger(lua.lua_tonumber(L, -1)) as number)
    case lua.LUA_TTABLE:
      if (depth >= MAX_REPLY_DEPTH || !lua.lua_checkstack(L, 4)) return out.error("ERR reached lua stack limit")
      return writeTable(L, out, resp, depth)
    default:
      return out.nullBulk()
  }
}

const writeTable = (L: unknown, out: ReplyWriter, resp: number, depth: number): void => {
  const error = rawStringField(L, -1, FIELD.err)
  if (error !== undefined) return out.error(error)
  const status = rawStringField(L, -1, FIELD.ok)
  if (status !== undefined) return out.simple(status.replace(/[\r\n]/g, " "))
  lua.lua_pushstring(L, FIELD.double)
  if (lua.lua_rawget(L, -2) === lua.LUA_TNUMBER) {
    const x = lua.lua_tonumber(L, -1)
    lua.lua_pop(L, 1)
    return writeDouble(out, x)
  }
  lua.lua_pop(L, 1)
  const big = rawStringField(L, -1, FIELD.bigNumber)
  if (big !== undefined) {
    const text = big.replace(/[\r\n]/g, " ")
    return out.protocol === 3 ? out.raw(`(${text}\r\n`) : out.bulk(text)
  }
  lua.lua_pushstring(L, FIELD.map)
  if (lua.lua_rawget(L, -2) === lua.LUA_TTABLE) {
    writeEntries(L, out, resp, depth, true)
    lua.lua_pop(L, 1)
    return
  }
  lua.lua_pop(L, 1)
  lua.lua_pushstring(L, FIELD.set)
  if (lua.lua_rawget(L, -2) === lua.LUA_TTABLE) {
    writeEntries(L, out, resp, depth, false)
    lua.lua_pop(L, 1)
    return
  }
  lua.lua_pop(L, 1)
  lua.lua_pushstring(L, FIELD.verbatim)
  if (lua.lua_rawget(L, -2) === lua.LUA_TTABLE) {
    const format = rawStringField(L, -1, FIELD.format)
    const text = rawStringField(L, -1, FIELD.string)
    if (format !== undefined && text !== undefined) {
      lua.lua_pop(L, 1)
      if (out.protocol !== 3) return out.bulk(text)
      out.raw(`=${text.length + 4}\r\n${format.slice(0, 3).padEnd(3, " ")}:`)
      out.raw(`${text}\r\n`)
      return
    }
  }
  lua.lua_pop(L, 1)
  // An array: elements 1, 2, ... up to the first nil.
  let count = 0
  while (lua.lua_rawgeti(L, -1, count + 1) !== lua.LUA_TNIL) {
    lua.lua_pop(L, 1)
    count++
  }
  lua.lua_pop(L, 1)
  out.arrayHeader(count)
  for (let i = 1; i <= count; i++) {
    lua.lua_rawgeti(L, -1, i)
    writeLuaValue(L, out, resp, depth + 1)
    lua.lua_pop(L, 1)
  }
}

/** The entries of the table on top as a map (key, value) or a set (key) reply. */
const writeEntries = (L: unknown, out: ReplyWriter, resp: number, depth: number, isMap: boolean): void => {
  let count = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2) !== 0) {
    lua.lua_pop(L, 1)
    count++
  }
  if (isMap) out.mapHeader(count)
  else out.setHeader(count)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2) !== 0) {
    lua.lua_pushvalue(L, -2)
    writeLuaValue(L, out, resp, depth + 1)
    lua.lua_pop(L, 1)
    if (isMap) writeLuaValue(L, out, resp, depth + 1)
    lua.lua_pop(L, 1)
  }
}
