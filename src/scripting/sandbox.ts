/**
 * Redis 7.0's Lua sandbox on a fengari state: read-only globals and libraries (with Redis's
 * errors for undeclared and modified names), Redis's pcall, and its PRNG for math.random.
 */
import fengari from "fengari"
import { FIELD } from "./conversions.js"
import { lua51Wording, raiseWithPosition } from "./luaErrors.js"
import { byteText, luaBytes } from "./luaText.js"

const { lua, lauxlib } = fengari

/** Redis's PRNG for scripts (redisLrand48): lrand48's generator, reseeded before every script. */
export class Lrand48 {
  /** lrand48's state before any seeding (Redis never seeds it unless a script does). */
  private x = 0x1234abcd330en
  seed(value: number): void {
    this.x = (BigInt.asUintN(32, BigInt(value)) << 16n) | 0x330en
  }
  next(): number {
    this.x = (this.x * 0x5deece66dn + 0xbn) & 0xffffffffffffn
    return Number(this.x >> 17n)
  }
}
export const LRAND48_MAX = 2147483647

/** Replaces each library table by a read-only view (Redis 7.0 refuses `string.x = 1`). */
export const protectLibraries = (L: unknown): void => {
  const readonly = (L: unknown) => raiseWithPosition(L, "Attempt to modify a readonly table")
  for (const name of ["string", "table", "math", "coroutine", "cjson", "bit", "struct", "cmsgpack", "redis"]) {
    if (lua.lua_getglobal(L, luaBytes(name)) !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1)
      continue
    }
    const library = lua.lua_gettop(L)
    lua.lua_createtable(L, 0, 0)
    lua.lua_createtable(L, 0, 5)
    lua.lua_pushvalue(L, library)
    lua.lua_setfield(L, -2, luaBytes("__index"))
    lua.lua_pushcfunction(L, readonly)
    lua.lua_setfield(L, -2, luaBytes("__newindex"))
    // pairs() and # still see the library's contents.
    lua.lua_pushvalue(L, library)
    lua.lua_pushcclosure(L, (L: unknown) => {
      lua.lua_getglobal(L, luaBytes("next"))
      lua.lua_pushvalue(L, lua.lua_upvalueindex(1))
      lua.lua_pushnil(L)
      return 3
    }, 1)
    lua.lua_setfield(L, -2, luaBytes("__pairs"))
    lua.lua_pushboolean(L, false)
    lua.lua_setfield(L, -2, luaBytes("__metatable"))
    lua.lua_setmetatable(L, -2)
    lua.lua_setglobal(L, luaBytes(name))
    lua.lua_pop(L, 1)
  }
}

/** pcall as Redis 7.0 has it: an error table is given to the caller as its `err` text. */
export const installPcall = (L: unknown): void => {
  const finish = (L: unknown, status: number): number => {
    if (status !== lua.LUA_OK && status !== lua.LUA_YIELD) {
      lua.lua_remove(L, 1)
      if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
        lua.lua_getfield(L, -1, FIELD.err)
        if (lua.lua_type(L, -1) === lua.LUA_TSTRING) lua.lua_replace(L, -2)
        else lua.lua_pop(L, 1)
      } else if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
        const text = byteText(lua.lua_tolstring(L, -1))
        const worded = lua51Wording(text)
        if (worded !== text) {
          lua.lua_pop(L, 1)
          lua.lua_pushstring(L, luaBytes(worded))
        }
      }
      lua.lua_pushboolean(L, false)
      lua.lua_insert(L, 1)
    }
    return lua.lua_gettop(L)
  }
  lua.lua_pushcfunction(L, (L: unknown) => {
    const argc = lua.lua_gettop(L)
    // Redis's pcall without a function returns nothing rather than complain.
    if (argc === 0) return 0
    lua.lua_pushboolean(L, true)
    lua.lua_insert(L, 1)
    return finish(L, lua.lua_pcallk(L, argc - 1, lua.LUA_MULTRET, 0, 0, finish))
  })
  lua.lua_setglobal(L, luaBytes("pcall"))
}

/**
 * The globals become read-only: scripts see them through an empty table whose `__index` is the
 * real globals (whose own `__index` refuses undeclared names) and whose `__newindex` refuses.
 */
export const sandbox = (L: unknown): { readonly envRef: number; readonly globalsRef: number } => {
  lua.lua_pushglobaltable(L)
  const globals = lua.lua_gettop(L)
  // globals' metatable: reading an undeclared name is an error.
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushcfunction(L, (L: unknown) => {
    const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? byteText(lua.lua_tolstring(L, 2)) : "?"
    return raiseWithPosition(L, `Script attempted to access nonexistent global variable '${name}'`)
  })
  lua.lua_setfield(L, -2, luaBytes("__index"))
  lua.lua_pushcfunction(L, (L: unknown) => raiseWithPosition(L, "Attempt to modify a readonly table"))
  lua.lua_setfield(L, -2, luaBytes("__newindex"))
  lua.lua_setmetatable(L, globals)
  // The view scripts get as _ENV (and as _G).
  lua.lua_createtable(L, 0, 0)
  lua.lua_createtable(L, 0, 2)
  lua.lua_pushvalue(L, globals)
  lua.lua_setfield(L, -2, luaBytes("__index"))
  lua.lua_pushcfunction(L, (L: unknown) => raiseWithPosition(L, "Attempt to modify a readonly table"))
  lua.lua_setfield(L, -2, luaBytes("__newindex"))
  lua.lua_pushboolean(L, false)
  lua.lua_setfield(L, -2, luaBytes("__metatable"))
  lua.lua_setmetatable(L, -2)
  lua.lua_pushstring(L, luaBytes("_G"))
  lua.lua_pushvalue(L, -2)
  lua.lua_rawset(L, globals)
  const envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  const globalsRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  // A JavaScript failure inside the VM (an allocation too large, ...) is a Lua error, not a crash.
  lua.lua_atnativeerror(L, (L: unknown) => {
    const error = lua.lua_touserdata(L, -1)
    const message = error instanceof RangeError ? "not enough memory" : String(error?.message ?? error)
    lua.lua_pushstring(L, luaBytes(message))
    return 1
  })
  return { envRef, globalsRef }
}
