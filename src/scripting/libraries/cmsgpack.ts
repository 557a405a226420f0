/**
 * The `cmsgpack` library (lua-cmsgpack 0.4 as Redis bundles it; BullMQ relies on it):
 * `pack(...)`, `unpack(data)`, `unpack_one(data [, offset])`, `unpack_limit(data, limit [, offset])`.
 * Numbers with an int64 value pack as the smallest integer format, others as float32 when exact,
 * else float64; strings as fixstr/str8/str16/str32; a table whose keys are exactly 1..n as an
 * array, any other as a map; tables nested deeper than 16 pack as nil.
 */
import fengari from "fengari"
import { forEachInLua51Order } from "../lua51TableOrder.js"
import { luaBytes } from "../luaText.js"
import { registerLibrary } from "./registration.js"

const { lua, lauxlib } = fengari

const MAX_NESTING = 16

class Output {
  bytes: Array<number> = []
  byte(b: number): void {
    this.bytes.push(b & 0xff)
  }
  bigEndian(value: bigint, size: number): void {
    for (let i = size - 1; i >= 0; i--) this.byte(Number((value >> BigInt(i * 8)) & 0xffn))
  }
  uint(value: number, size: number): void {
    for (let i = size - 1; i >= 0; i--) this.byte(Math.floor(value / 2 ** (i * 8)) % 256)
  }
}

const encodeInteger = (out: Output, n: number): void => {
  if (n >= 0) {
    if (n <= 127) out.byte(n)
    else if (n <= 0xff) (out.byte(0xcc), out.uint(n, 1))
    else if (n <= 0xffff) (out.byte(0xcd), out.uint(n, 2))
    else if (n <= 0xffffffff) (out.byte(0xce), out.uint(n, 4))
    else (out.byte(0xcf), out.bigEndian(BigInt(n), 8))
  } else {
    if (n >= -32) out.byte(n & 0xff)
    else if (n >= -128) (out.byte(0xd0), out.byte(n & 0xff))
    else if (n >= -32768) (out.byte(0xd1), out.uint(n & 0xffff, 2))
    else if (n >= -2147483648) (out.byte(0xd2), out.uint(n >>> 0, 4))
    else (out.byte(0xd3), out.bigEndian(BigInt.asUintN(64, BigInt(n)), 8))
  }
}

const scratch = new DataView(new ArrayBuffer(8))

const encodeNumber = (out: Output, n: number): void => {
  if (Number.isFinite(n) && Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808) {
    return encodeInteger(out, n)
  }
  if (Math.fround(n) === n || n !== n) {
    scratch.setFloat32(0, n)
    out.byte(0xca)
    for (let i = 0; i < 4; i++) out.byte(scratch.getUint8(i))
  } else {
    scratch.setFloat64(0, n)
    out.byte(0xcb)
    for (let i = 0; i < 8; i++) out.byte(scratch.getUint8(i))
  }
}

const encodeBytes = (out: Output, bytes: Uint8Array): void => {
  const n = bytes.length
  if (n < 32) out.byte(0xa0 | n)
  else if (n <= 0xff) (out.byte(0xd9), out.uint(n, 1))
  else if (n <= 0xffff) (out.byte(0xda), out.uint(n, 2))
  else (out.byte(0xdb), out.uint(n, 4))
  for (let i = 0; i < n; i++) out.bytes.push(bytes[i])
}

/** Whether the table on top has exactly the keys 1..n (lua-cmsgpack's table_is_an_array). */
const isArray = (L: unknown): boolean => {
  let count = 0
  let max = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2) !== 0) {
    lua.lua_pop(L, 1)
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
      lua.lua_pop(L, 1)
      return false
    }
    const key = lua.lua_tonumber(L, -1)
    if (!Number.isInteger(key) || key < 1) {
      lua.lua_pop(L, 1)
      return false
    }
    if (key > max) max = key
    count++
  }
  return max === count
}

const encodeValue = (L: unknown, out: Output, level: number): void => {
  let type = lua.lua_type(L, -1)
  if (type === lua.LUA_TTABLE && level === MAX_NESTING) type = lua.LUA_TNIL
  switch (type) {
    case lua.LUA_TSTRING:
      return encodeBytes(out, lua.lua_tolstring(L, -1))
    case lua.LUA_TBOOLEAN:
      return out.byte(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2)
    case lua.LUA_TNUMBER:
      return encodeNumber(out, lua.lua_tonumber(L, -1))
    case lua.LUA_TTABLE: {
      if (!lua.lua_checkstack(L, 8)) return out.byte(0xc0)
      if (isArray(L)) {
        const n = Number(lua.lua_rawlen(L, -1))
        if (n <= 15) out.byte(0x90 | n)
        else if (n <= 0xffff) (out.byte(0xdc), out.uint(n, 2))
        else (out.byte(0xdd), out.uint(n, 4))
        for (let i = 1; i <= n; i++) {
          lua.lua_rawgeti(L, -1, i)
          encodeValue(L, out, level + 1)
          lua.lua_pop(L, 1)
        }
        return
      }
      let n = 0
      lua.lua_pushnil(L)
      while (lua.lua_next(L, -2) !== 0) {
        lua.lua_pop(L, 1)
        n++
      }
      if (n <= 15) out.byte(0x80 | n)
      else if (n <= 0xffff) (out.byte(0xde), out.uint(n, 2))
      else (out.byte(0xdf), out.uint(n, 4))
      // Entries in the order Redis's Lua traverses them (lua51TableOrder.ts).
      forEachInLua51Order(L, () => {
        lua.lua_pushvalue(L, -2)
        encodeValue(L, out, level + 1)
        lua.lua_pop(L, 1)
        encodeValue(L, out, level + 1)
      })
      return
    }
    default:
      return out.byte(0xc0)
  }
}

const pack = (L: unknown): number => {
  const argc = lua.lua_gettop(L)
  if (argc === 0) return lauxlib.luaL_argerror(L, 0, luaBytes("MessagePack pack needs input."))
  const out = new Output()
  for (let i = 1; i <= argc; i++) {
    lua.lua_pushvalue(L, i)
    encodeValue(L, out, 0)
    lua.lua_pop(L, 1)
  }
  lua.lua_pushstring(L, Uint8Array.from(out.bytes))
  return 1
}

class Truncated extends Error {}
class BadFormat extends Error {}

class Input {
  at: number
  constructor(readonly bytes: Uint8Array, start: number) {
    this.at = start
  }
  need(n: number): void {
    if (this.at + n > this.bytes.length) throw new Truncated()
  }
  uint(n: number): number {
    this.need(n)
    let value = 0
    for (let i = 0; i < n; i++) value = value * 256 + this.bytes[this.at++]
    return value
  }
  view(n: number): DataView {
    this.need(n)
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, n)
    this.at += n
    return view
  }
  take(n: number): Uint8Array {
    this.need(n)
    const slice = this.bytes.slice(this.at, this.at + n)
    this.at += n
    return slice
  }
}

const decodeValue = (L: unknown, input: Input): void => {
  input.need(1)
  const b = input.bytes[input.at++]
  if (b <= 0x7f) return lua.lua_pushnumber(L, b)
  if (b >= 0xe0) return lua.lua_pushnumber(L, b - 256)
  if ((b & 0xf0) === 0x80) return decodeMap(L, input, b & 0x0f)
  if ((b & 0xf0) === 0x90) return decodeArray(L, input, b & 0x0f)
  if ((b & 0xe0) === 0xa0) return lua.lua_pushstring(L, input.take(b & 0x1f))
  switch (b) {
    case 0xc0:
      return lua.lua_pushnil(L)
    case 0xc2:
      return lua.lua_pushboolean(L, false)
    case 0xc3:
      return lua.lua_pushboolean(L, true)
    case 0xc4:
    case 0xd9:
      return lua.lua_pushstring(L, input.take(input.uint(1)))
    case 0xc5:
    case 0xda:
      return lua.lua_pushstring(L, input.take(input.uint(2)))
    case 0xc6:
    case 0xdb:
      return lua.lua_pushstring(L, input.take(input.uint(4)))
    case 0xca:
      return lua.lua_pushnumber(L, input.view(4).getFloat32(0))
    case 0xcb:
      return lua.lua_pushnumber(L, input.view(8).getFloat64(0))
    case 0xcc:
      return lua.lua_pushnumber(L, input.uint(1))
    case 0xcd:
      return lua.lua_pushnumber(L, input.uint(2))
    case 0xce:
      return lua.lua_pushnumber(L, input.uint(4))
    case 0xcf:
      return lua.lua_pushnumber(L, Number(input.view(8).getBigUint64(0)))
    case 0xd0:
      return lua.lua_pushnumber(L, input.view(1).getInt8(0))
    case 0xd1:
      return lua.lua_pushnumber(L, input.view(2).getInt16(0))
    case 0xd2:
      return lua.lua_pushnumber(L, input.view(4).getInt32(0))
    case 0xd3:
      return lua.lua_pushnumber(L, Number(input.view(8).getBigInt64(0)))
    case 0xdc:
      return decodeArray(L, input, input.uint(2))
    case 0xdd:
      return decodeArray(L, input, input.uint(4))
    case 0xde:
      return decodeMap(L, input, input.uint(2))
    case 0xdf:
      return decodeMap(L, input, input.uint(4))
    default:
      throw new BadFormat()
  }
}

const decodeArray = (L: unknown, input: Input, n: number): void => {
  if (!lua.lua_checkstack(L, 4)) throw new BadFormat()
  lua.lua_createtable(L, 0, 0)
  for (let i = 1; i <= n; i++) {
    decodeValue(L, input)
    lua.lua_rawseti(L, -2, i)
  }
}

const decodeMap = (L: unknown, input: Input, n: number): void => {
  if (!lua.lua_checkstack(L, 4)) throw new BadFormat()
  lua.lua_createtable(L, 0, 0)
  for (let i = 0; i < n; i++) {
    decodeValue(L, input)
    decodeValue(L, input)
    // A nil key (or NaN) cannot be stored: the pair is dropped, as lua_settable would fail.
    if (lua.lua_type(L, -2) === lua.LUA_TNIL) lua.lua_pop(L, 2)
    else lua.lua_rawset(L, -3)
  }
}

/** lua-cmsgpack's mp_unpack_full: up to `limit` objects (0: all) from `offset`. */
const unpackFull = (L: unknown, limit: number, offset: number, returnOffset: boolean): number => {
  const bytes: Uint8Array = lauxlib.luaL_checklstring(L, 1)
  if (offset < 0 || limit < 0) {
    return lauxlib.luaL_error(L, luaBytes(`Invalid request to unpack with offset of ${offset} and limit of ${limit}.`))
  }
  if (offset > bytes.length) {
    return lauxlib.luaL_error(L, luaBytes(`Start offset ${offset} greater than input length ${bytes.length}.`))
  }
  const top = lua.lua_gettop(L)
  const input = new Input(bytes, offset)
  let count = 0
  try {
    while (input.at < bytes.length && (limit === 0 || count < limit)) {
      decodeValue(L, input)
      count++
    }
  } catch (error) {
    lua.lua_settop(L, top)
    if (error instanceof Truncated) return lauxlib.luaL_error(L, luaBytes("Missing bytes in input."))
    if (error instanceof BadFormat) return lauxlib.luaL_error(L, luaBytes("Bad data format in input."))
    throw error
  }
  if (returnOffset) {
    lua.lua_pushnumber(L, input.at >= bytes.length ? -1 : input.at)
    lua.lua_insert(L, top + 1)
    count++
  }
  return count
}

const integerArg = (L: unknown, index: number): number =>
  lua.lua_isnoneornil(L, index) ? 0 : Number(lauxlib.luaL_checkinteger(L, index))

export const openCmsgpack = (L: unknown): void =>
  registerLibrary(L, "cmsgpack", {
    pack,
    unpack: (L) => unpackFull(L, 0, 0, false),
    unpack_one: (L) => unpackFull(L, 1, integerArg(L, 2), true),
    unpack_limit: (L) => unpackFull(L, integerArg(L, 2), integerArg(L, 3), true)
  }, {
    _NAME: "cmsgpack",
    _VERSION: "lua-cmsgpack 0.4.0",
    _COPYRIGHT: "Copyright (C) 2012, Salvatore Sanfilippo",
    _DESCRIPTION: "MessagePack C implementation for Lua"
  })

