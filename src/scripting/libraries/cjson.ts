/**
 * The `cjson` library (lua-cjson 2.1 as Redis bundles it): `cjson.encode`, `cjson.decode` and
 * `cjson.null`. Numbers encode with "%.14g"; an empty table is `{}`; a table whose keys are all
 * positive integers is an array (too sparse a one is refused); strings are bytes, with `/` and
 * control characters escaped. Decoding turns `\u` escapes into UTF-8.
 */
import fengari from "fengari"
import { byteText, formatG, luaBytes } from "../luaText.js"
import { forEachInLua51Order } from "../lua51TableOrder.js"
import { registerLibrary } from "./registration.js"

const { lua, lauxlib } = fengari

/** cjson.null: a light userdata no other value equals. */
const JSON_NULL = { cjsonNull: true }

const MAX_DEPTH = 1000
const SPARSE_RATIO = 2
const SPARSE_SAFE = 10

class EncodeError extends Error {}

const ESCAPES: Array<string> = []
for (let c = 0; c < 256; c++) {
  ESCAPES.push(c < 32 || c === 127 ? `\\u${c.toString(16).padStart(4, "0")}` : String.fromCharCode(c))
}
ESCAPES[8] = "\\b"
ESCAPES[9] = "\\t"
ESCAPES[10] = "\\n"
ESCAPES[12] = "\\f"
ESCAPES[13] = "\\r"
ESCAPES[34] = '\\"'
ESCAPES[92] = "\\\\"
ESCAPES[47] = "\\/"

const encodeString = (bytes: Uint8Array): string => {
  let text = '"'
  for (let i = 0; i < bytes.length; i++) text += ESCAPES[bytes[i]]
  return text + '"'
}

const encodeNumber = (x: number): string => {
  if (!Number.isFinite(x)) throw new EncodeError("Cannot serialise number: must not be NaN or Inf")
  return formatG(x, 14)
}

/** The array length of the table on top, or -1 when it is an object (lua-cjson's lua_array_length). */
const arrayLength = (L: unknown): number => {
  let max = 0
  let items = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2) !== 0) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2)
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k
        items++
        lua.lua_pop(L, 1)
        continue
      }
    }
    lua.lua_pop(L, 2)
    return -1
  }
  if (SPARSE_RATIO > 0 && max > items * SPARSE_RATIO && max > SPARSE_SAFE) {
    throw new EncodeError("Cannot serialise table: excessively sparse array")
  }
  return max
}

const encodeValue = (L: unknown, depth: number): string => {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return encodeString(lua.lua_tolstring(L, -1))
    case lua.LUA_TNUMBER:
      return encodeNumber(lua.lua_tonumber(L, -1))
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, -1) ? "true" : "false"
    case lua.LUA_TNIL:
      return "null"
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === JSON_NULL) return "null"
      throw new EncodeError("Cannot serialise lightuserdata: type not supported")
    case lua.LUA_TTABLE: {
      if (depth + 1 > MAX_DEPTH) throw new EncodeError(`Cannot serialise, excessive nesting (${depth + 1})`)
      if (!lua.lua_checkstack(L, 4)) throw new EncodeError("Cannot serialise, excessive nesting")
      const length = arrayLength(L)
      if (length > 0) {
        const parts: Array<string> = []
        for (let i = 1; i <= length; i++) {
          lua.lua_rawgeti(L, -1, i)
          parts.push(encodeValue(L, depth + 1))
          lua.lua_pop(L, 1)
        }
        return `[${parts.join(",")}]`
      }
      // Keys in the order Redis's Lua traverses them (lua51TableOrder.ts).
      const parts: Array<string> = []
      forEachInLua51Order(L, (key) => {
        let text: string
        if (key.kind === "string") text = encodeString(key.bytes)
        else if (key.kind === "number") text = `"${encodeNumber(key.value)}"`
        else throw new EncodeError("Cannot serialise table: table key must be a number or string")
        parts.push(`${text}:${encodeValue(L, depth + 1)}`)
      })
      return `{${parts.join(",")}}`
    }
    default:
      throw new EncodeError(`Cannot serialise ${byteText(lua.lua_typename(L, lua.lua_type(L, -1)))}: type not supported`)
  }
}

const encode = (L: unknown): number => {
  if (lua.lua_gettop(L) !== 1) return lauxlib.luaL_argerror(L, 1, luaBytes("expected 1 argument"))
  let text: string
  try {
    text = encodeValue(L, 0)
  } catch (error) {
    if (error instanceof EncodeError) return lauxlib.luaL_error(L, luaBytes("%s"), luaBytes(error.message))
    throw error
  }
  lua.lua_pushstring(L, luaBytes(text))
  return 1
}

class DecodeError extends Error {}

/** A JSON text (bytes) to Lua values, pushed as it goes (lua-cjson's decoder and its errors). */
class Decoder {
  at = 0
  constructor(readonly L: unknown, readonly text: string) {}

  fail(expected: string, found: string): never {
    throw new DecodeError(`Expected ${expected} but found ${found} at character ${this.at + 1}`)
  }

  skipSpace(): void {
    const text = this.text
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at)
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break
      this.at++
    }
  }

  tokenName(): string {
    const text = this.text
    const c = text[this.at]
    if (c === undefined) return "T_END"
    if (c === '"') return "T_STRING"
    if (c === "-" || (c >= "0" && c <= "9")) return "T_NUMBER"
    if (text.startsWith("true", this.at) || text.startsWith("false", this.at)) return "T_BOOLEAN"
    if (text.startsWith("null", this.at)) return "T_NULL"
    if (c === "{") return "T_OBJ_BEGIN"
    if (c === "}") return "T_OBJ_END"
    if (c === "[") return "T_ARR_BEGIN"
    if (c === "]") return "T_ARR_END"
    if (c === ",") return "T_COMMA"
    if (c === ":") return "T_COLON"
    return "invalid token"
  }

  value(depth: number): void {
    const L = this.L
    this.skipSpace()
    const text = this.text
    const c = text[this.at]
    if (c === "{") return this.object(depth + 1)
    if (c === "[") return this.array(depth + 1)
    if (c === '"') {
      lua.lua_pushstring(L, luaBytes(this.string()))
      return
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(this.at, this.at + 400))
      if (match === null) this.fail("value", "invalid number")
      lua.lua_pushnumber(L, Number(match[0]))
      this.at += match[0].length
      return
    }
    for (const [word, push] of LITERALS) {
      if (text.startsWith(word, this.at)) {
        push(L)
        this.at += word.length
        return
      }
    }
    this.fail("value", this.tokenName())
  }

  string(): string {
    const text = this.text
    let out = ""
    this.at++
    for (;;) {
      if (this.at >= text.length) this.fail("value", "unexpected end of string")
      const c = text.charCodeAt(this.at)
      if (c === 34) {
        this.at++
        return out
      }
      if (c === 92) {
        const e = text[this.at + 1]
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e]
          this.at += 2
          continue
        }
        if (e === "u") {
          let code = this.hex4(this.at + 2)
          let length = 6
          if (code >= 0xd800 && code <= 0xdbff && text[this.at + 6] === "\\" && text[this.at + 7] === "u") {
            const low = this.hex4(this.at + 8)
            if (low >= 0xdc00 && low <= 0xdfff) {
              code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
              length = 12
            }
          }
          out += Buffer.from(String.fromCodePoint(code), "utf8").toString("latin1")
          this.at += length
          continue
        }
        this.fail("value", "invalid escape code")
      }
      out += text[this.at]
      this.at++
    }
  }

  hex4(at: number): number {
    const digits = this.text.slice(at, at + 4)
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail("value", "invalid unicode escape code")
    return parseInt(digits, 16)
  }

  object(depth: number): void {
    const L = this.L
    if (depth > MAX_DEPTH) throw new DecodeError(`Found too many nested data structures (${depth}) at character ${this.at + 1}`)
    if (!lua.lua_checkstack(L, 4)) throw new DecodeError("Found too many nested data structures")
    lua.lua_createtable(L, 0, 0)
    this.at++
    this.skipSpace()
    if (this.text[this.at] === "}") {
      this.at++
      return
    }
    for (;;) {
      this.skipSpace()
      if (this.text[this.at] !== '"') this.fail("object key string", this.tokenName())
      lua.lua_pushstring(L, luaBytes(this.string()))
      this.skipSpace()
      if (this.text[this.at] !== ":") this.fail("colon", this.tokenName())
      this.at++
      this.value(depth)
      lua.lua_rawset(L, -3)
      this.skipSpace()
      const c = this.text[this.at]
      if (c === "}") {
        this.at++
        return
      }
      if (c !== ",") this.fail("comma or object end", this.tokenName())
      this.at++
    }
  }

  array(depth: number): void {
    const L = this.L
    if (depth > MAX_DEPTH) throw new DecodeError(`Found too many nested data structures (${depth}) at character ${this.at + 1}`)
    if (!lua.lua_checkstack(L, 4)) throw new DecodeError("Found too many nested data structures")
    lua.lua_createtable(L, 0, 0)
    this.at++
    this.skipSpace()
    if (this.text[this.at] === "]") {
      this.at++
      return
    }
    for (let i = 1;; i++) {
      this.value(depth)
      lua.lua_rawseti(L, -2, i)
      this.skipSpace()
      const c = this.text[this.at]
      if (c === "]") {
        this.at++
        return
      }
      if (c !== ",") this.fail("comma or array end", this.tokenName())
      this.at++
    }
  }
}

const LITERALS: ReadonlyArray<readonly [string, (L: unknown) => void]> = [
  ["true", (L) => lua.lua_pushboolean(L, true)],
  ["false", (L) => lua.lua_pushboolean(L, false)],
  ["null", (L) => lua.lua_pushlightuserdata(L, JSON_NULL)]
]

const decode = (L: unknown): number => {
  if (lua.lua_gettop(L) !== 1) return lauxlib.luaL_argerror(L, 1, luaBytes("expected 1 argument"))
  const text = byteText(lauxlib.luaL_checklstring(L, 1))
  const top = lua.lua_gettop(L)
  try {
    const decoder = new Decoder(L, text)
    decoder.value(0)
    decoder.skipSpace()
    if (decoder.at < text.length) decoder.fail("the end", decoder.tokenName())
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error
    lua.lua_settop(L, top)
    return lauxlib.luaL_error(L, luaBytes("%s"), luaBytes(error.message))
  }
  return 1
}

export const openCjson = (L: unknown): void => {
  registerLibrary(L, "cjson", { encode, decode }, { _NAME: "cjson", _VERSION: "2.1.0" })
  lua.lua_getglobal(L, luaBytes("cjson"))
  lua.lua_pushlightuserdata(L, JSON_NULL)
  lua.lua_setfield(L, -2, luaBytes("null"))
  lua.lua_pop(L, 1)
}
