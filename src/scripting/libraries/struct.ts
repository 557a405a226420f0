/**
 * The `struct` library (Roberto Ierusalimschy's struct 0.2, as Redis bundles it): `pack(fmt, ...)`,
 * `unpack(fmt, data [, init])`, `size(fmt)`. Formats: `<` `>` `=` endianness (native: little),
 * `!n` alignment, `x` pad byte, `b B h H l L T i[n] I[n]` integers (1, 2, 8, 8, n bytes), `f d`
 * floats, `s` zero-terminated string, `c[n]` fixed string (`c0` takes the length from the value
 * before it on unpack).
 */
import fengari from "fengari"
import { luaBytes } from "../luaText.js"
import { registerLibrary } from "./registration.js"

const { lua, lauxlib } = fengari

const MAXINTSIZE = 32
const NATIVE_ALIGN = 8

interface Header {
  little: boolean
  align: number
}

class FormatReader {
  at = 0
  constructor(readonly L: unknown, readonly fmt: string) {}
  get done(): boolean {
    return this.at >= this.fmt.length
  }
  /** Digits after an option, or `fallback`. */
  number(fallback: number): number {
    if (!/[0-9]/.test(this.fmt[this.at] ?? "")) return fallback
    let n = 0
    while (/[0-9]/.test(this.fmt[this.at] ?? "")) n = n * 10 + Number(this.fmt[this.at++])
    return n
  }
}

/** The size of option `opt` (reading its digits), or -1 for the options that take no room. */
const optionSize = (L: unknown, reader: FormatReader, opt: string, header: Header): number => {
  switch (opt) {
    case "B":
    case "b":
    case "x":
      return 1
    case "H":
    case "h":
      return 2
    case "L":
    case "l":
    case "T":
      return 8
    case "f":
      return 4
    case "d":
      return 8
    case "c":
      return reader.number(1)
    case "i":
    case "I": {
      const size = reader.number(4)
      if (size > MAXINTSIZE) return lauxlib.luaL_error(L, luaBytes(`integral size ${size} is larger than limit of ${MAXINTSIZE}`))
      return size
    }
    case "s":
    case " ":
    case "<":
    case ">":
    case "=":
      if (opt === "<") header.little = true
      if (opt === ">") header.little = false
      if (opt === "=") header.little = true
      return 0
    case "!": {
      const align = reader.number(NATIVE_ALIGN)
      if ((align & (align - 1)) !== 0) return lauxlib.luaL_argerror(L, 1, luaBytes("alignment must be power of 2"))
      header.align = align
      return 0
    }
    default:
      return lauxlib.luaL_argerror(L, 1, luaBytes(`invalid format option '${opt}'`))
  }
}

const padding = (header: Header, size: number, length: number, opt: string): number => {
  if (size === 0 || opt === "c") return 0
  let align = size
  if (align <= 1) return 0
  if (align > header.align) align = header.align
  if ((align & (align - 1)) !== 0) return 0
  return (align - (length & (align - 1))) & (align - 1)
}

const writeInteger = (out: Array<number>, value: number, little: boolean, size: number): void => {
  let n = BigInt.asUintN(64, BigInt(Math.trunc(value)))
  const bytes: Array<number> = []
  for (let i = 0; i < size; i++) {
    bytes.push(i < 8 ? Number(n & 0xffn) : value < 0 ? 0xff : 0)
    n >>= 8n
  }
  if (!little) bytes.reverse()
  out.push(...bytes)
}

const pack = (L: unknown): number => {
  const fmt = String.fromCharCode(...lauxlib.luaL_checklstring(L, 1))
  const reader = new FormatReader(L, fmt)
  const header: Header = { little: true, align: 1 }
  const out: Array<number> = []
  let arg = 2
  while (!reader.done) {
    const opt = fmt[reader.at++]
    const size = optionSize(L, reader, opt, header)
    const pad = padding(header, size, out.length, opt)
    for (let i = 0; i < pad; i++) out.push(0)
    switch (opt) {
      case "b":
      case "B":
      case "h":
      case "H":
      case "l":
      case "L":
      case "T":
      case "i":
      case "I":
        writeInteger(out, lauxlib.luaL_checknumber(L, arg++), header.little, size)
        break
      case "x":
        out.push(0)
        break
      case "f":
      case "d": {
        const view = new DataView(new ArrayBuffer(size))
        const x = lauxlib.luaL_checknumber(L, arg++)
        if (size === 4) view.setFloat32(0, x, header.little)
        else view.setFloat64(0, x, header.little)
        for (let i = 0; i < size; i++) out.push(view.getUint8(i))
        break
      }
      case "c":
      case "s": {
        const bytes: Uint8Array = lauxlib.luaL_checklstring(L, arg)
        let length = bytes.length
        if (opt === "c") {
          if (size !== 0) {
            lauxlib.luaL_argcheck(L, bytes.length >= size, arg, luaBytes("string too short"))
            length = size
          }
        }
        for (let i = 0; i < length; i++) out.push(bytes[i])
        if (opt === "s") out.push(0)
        arg++
        break
      }
    }
  }
  lua.lua_pushstring(L, Uint8Array.from(out))
  return 1
}

const readInteger = (data: Uint8Array, at: number, little: boolean, size: number, signed: boolean): number => {
  let n = 0n
  for (let i = 0; i < size; i++) {
    const byte = data[little ? at + size - 1 - i : at + i]
    n = (n << 8n) | BigInt(byte)
  }
  if (signed && size <= 8) n = BigInt.asIntN(size * 8, n)
  else if (size <= 8) n = BigInt.asUintN(size * 8, n)
  return Number(n)
}

const unpack = (L: unknown): number => {
  const fmt = String.fromCharCode(...lauxlib.luaL_checklstring(L, 1))
  const data: Uint8Array = lauxlib.luaL_checklstring(L, 2)
  let pos = Number(lauxlib.luaL_optinteger(L, 3, 1)) - 1
  lauxlib.luaL_argcheck(L, pos >= 0, 3, luaBytes("offset must be 1 or greater"))
  const reader = new FormatReader(L, fmt)
  const header: Header = { little: true, align: 1 }
  lua.lua_settop(L, 2)
  let results = 0
  while (!reader.done) {
    const opt = fmt[reader.at++]
    let size = optionSize(L, reader, opt, header)
    pos += padding(header, size, pos, opt)
    if (pos + size > data.length) lauxlib.luaL_argerror(L, 2, luaBytes("data string too short"))
    lauxlib.luaL_checkstack(L, 2, luaBytes("too many results"))
    switch (opt) {
      case "b":
      case "h":
      case "l":
      case "i":
        lua.lua_pushnumber(L, readInteger(data, pos, header.little, size, true))
        results++
        break
      case "B":
      case "H":
      case "L":
      case "T":
      case "I":
        lua.lua_pushnumber(L, readInteger(data, pos, header.little, size, false))
        results++
        break
      case "x":
        break
      case "f":
      case "d": {
        const view = new DataView(data.buffer, data.byteOffset + pos, size)
        lua.lua_pushnumber(L, size === 4 ? view.getFloat32(0, header.little) : view.getFloat64(0, header.little))
        results++
        break
      }
      case "c": {
        if (size === 0) {
          if (results === 0 || lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
            return lauxlib.luaL_error(L, luaBytes("format 'c0' needs a previous size"))
          }
          size = lua.lua_tonumber(L, -1)
          lua.lua_pop(L, 1)
          results--
          lauxlib.luaL_argcheck(L, pos + size <= data.length, 2, luaBytes("data string too short"))
        }
        lua.lua_pushstring(L, data.slice(pos, pos + size))
        results++
        break
      }
      case "s": {
        const end = data.indexOf(0, pos)
        if (end < 0) return lauxlib.luaL_error(L, luaBytes("unfinished string in data"))
        size = end - pos + 1
        lua.lua_pushstring(L, data.slice(pos, end))
        results++
        break
      }
    }
    pos += size
  }
  lua.lua_pushnumber(L, pos + 1)
  return results + 1
}

const size = (L: unknown): number => {
  const fmt = String.fromCharCode(...lauxlib.luaL_checklstring(L, 1))
  const reader = new FormatReader(L, fmt)
  const header: Header = { little: true, align: 1 }
  let total = 0
  while (!reader.done) {
    const opt = fmt[reader.at++]
    const size = optionSize(L, reader, opt, header)
    total += padding(header, size, total, opt)
    if (opt === "s") lauxlib.luaL_argerror(L, 1, luaBytes("option 's' has no fixed size"))
    else if (opt === "c" && size === 0) lauxlib.luaL_argerror(L, 1, luaBytes("option 'c0' has no fixed size"))
    total += size
  }
  lua.lua_pushnumber(L, total)
  return 1
}

export const openStruct = (L: unknown): void => registerLibrary(L, "struct", { pack, unpack, size })
