/**
 * The standard libraries of Redis's Lua, on fengari's 5.3 ones: base (no dofile/loadfile/print),
 * table, string, math, coroutine and Redis's bundled ones, with Lua 5.1's names and behaviour
 * where scripts see the difference (unpack, loadstring, table.getn, math.pow, tostring of
 * numbers, error positions, _VERSION) and none of 5.3's additions; math.random is Redis's.
 */
import fengari from "fengari"
import { openRedisLibraries } from "./libraries/index.js"
import { byteText, luaBytes, luaNumberText } from "./luaText.js"
import { type Lrand48, LRAND48_MAX } from "./sandbox.js"

const { lua, lauxlib, lualib } = fengari

const TEXT_MODE = luaBytes("t")

/** Lua's own code for the parts of the sandbox that are simplest in Lua. */
const PRELUDE = `
local getinfo, xpcall, tostring, type = ...
local handler = function(err)
  local i = getinfo(2, 'nSl')
  if i and (i.what == 'C' or i.what == 'J') then i = getinfo(3, 'nSl') end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
return function(f) return xpcall(f, handler) end
`

/**
 * Opens the libraries as globals of `L`; returns the registry ref of the runner, which calls a
 * function inside `xpcall` with the handler that records an error's source and line.
 * `setEnvironment` gives a chunk loadstring compiled the sandbox's globals.
 */
export const openStandardLibraries = (
  L: unknown,
  random: Lrand48,
  setEnvironment: (L: unknown, index: number) => void
): number => {
  const open = (name: string, opener: unknown) => {
    lauxlib.luaL_requiref(L, luaBytes(name), opener, 1)
    lua.lua_pop(L, 1)
  }
  open("_G", lualib.luaopen_base)
  open("table", lualib.luaopen_table)
  open("string", lualib.luaopen_string)
  open("math", lualib.luaopen_math)
  open("coroutine", lualib.luaopen_coroutine)
  open("debug", lualib.luaopen_debug)
  openRedisLibraries(L)
  // tostring prints numbers as 5.1 does (fengari's prints 10/2 as "5.0").
  lua.lua_getglobal(L, luaBytes("tostring"))
  const tostringRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  lua.lua_pushcfunction(L, (L: unknown) => {
    if (lua.lua_type(L, 1) === lua.LUA_TNUMBER) {
      lua.lua_pushstring(L, luaBytes(luaNumberText(lua.lua_tonumber(L, 1))))
      return 1
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, tostringRef)
    lua.lua_insert(L, 1)
    lua.lua_call(L, lua.lua_gettop(L) - 1, 1)
    return 1
  })
  lua.lua_setglobal(L, luaBytes("tostring"))
  // error() positions numbers as well as strings, as 5.1's does.
  lua.lua_pushcfunction(L, (L: unknown) => {
    const level = Number(lauxlib.luaL_optinteger(L, 2, 1))
    lua.lua_settop(L, 1)
    const type = lua.lua_type(L, 1)
    if ((type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER) && level > 0) {
      lauxlib.luaL_where(L, level)
      lua.lua_pushvalue(L, 1)
      lua.lua_concat(L, 2)
    }
    return lua.lua_error(L)
  })
  lua.lua_setglobal(L, luaBytes("error"))
  // The error handler needs debug.getinfo; scripts get no debug library.
  lua.lua_getglobal(L, luaBytes("debug"))
  lua.lua_getfield(L, -1, luaBytes("getinfo"))
  lua.lua_remove(L, -2)
  if (lauxlib.luaL_loadbufferx(L, luaBytes(PRELUDE), null, luaBytes("=prelude"), TEXT_MODE) !== lua.LUA_OK) {
    throw new Error(byteText(lua.lua_tolstring(L, -1)))
  }
  lua.lua_insert(L, -2)
  lua.lua_getglobal(L, luaBytes("xpcall"))
  lua.lua_getglobal(L, luaBytes("tostring"))
  lua.lua_getglobal(L, luaBytes("type"))
  lua.lua_call(L, 4, 1)
  const runnerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  // Lua 5.1's names for what 5.3 moved or dropped, and none of 5.3's additions.
  const compat = `
    local table, math, string, load = table, math, string, load
    unpack = table.unpack
    table.getn = function(t) return #t end
    table.maxn = function(t) local n = 0 for k in pairs(t) do if type(k) == 'number' and k > n then n = k end end return n end
    math.pow = function(x, y) return x ^ y end
    local floor, ceil = math.floor, math.ceil
    math.floor = function(x) return floor(x) + 0.0 end
    math.ceil = function(x) return ceil(x) + 0.0 end
    math.mod = math.fmod
    math.ldexp = function(m, e) return m * 2.0 ^ e end
    math.log10 = function(x) return math.log(x, 10) end
    math.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
    math.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
    math.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
    math.frexp = function(x)
      if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
      local e = math.floor(math.log(math.abs(x), 2)) + 1
      local m = x / 2.0 ^ e
      if math.abs(m) >= 1 then m = m / 2; e = e + 1 elseif math.abs(m) < 0.5 then m = m * 2; e = e - 1 end
      return m, e
    end
    string.gfind = string.gmatch
    gcinfo = function() return collectgarbage('count') end
    table.pack, table.unpack, table.move = nil, nil, nil
    math.type, math.tointeger, math.ult, math.maxinteger, math.mininteger = nil, nil, nil, nil, nil
    string.pack, string.unpack, string.packsize, string.len = nil, nil, nil, string.len
    coroutine.isyieldable = nil
    dofile, loadfile, print, rawlen, debug, load = nil, nil, nil, nil, nil, nil
    _VERSION = 'Lua 5.1'
  `
  if (lauxlib.luaL_loadbufferx(L, luaBytes(compat), null, luaBytes("=compat"), TEXT_MODE) !== lua.LUA_OK) {
    throw new Error(byteText(lua.lua_tolstring(L, -1)))
  }
  lua.lua_call(L, 0, 0)
  lua.lua_pushcfunction(L, (L: unknown) => loadstring(L, setEnvironment))
  lua.lua_setglobal(L, luaBytes("loadstring"))
  lua.lua_getglobal(L, luaBytes("math"))
  lua.lua_pushcfunction(L, (L: unknown) => mathRandom(L, random))
  lua.lua_setfield(L, -2, luaBytes("random"))
  lua.lua_pushcfunction(L, (L: unknown) => {
    random.seed(Number(lauxlib.luaL_checkinteger(L, 1)))
    return 0
  })
  lua.lua_setfield(L, -2, luaBytes("randomseed"))
  lua.lua_pop(L, 1)
  return runnerRef
}

/** loadstring(text [, name]): 5.1's, text only, compiled with the sandbox's globals. */
const loadstring = (L: unknown, setEnvironment: (L: unknown, index: number) => void): number => {
  const code = lauxlib.luaL_checklstring(L, 1)
  const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? lua.lua_tolstring(L, 2) : code
  const status = lauxlib.luaL_loadbufferx(L, code, null, name, TEXT_MODE)
  if (status !== lua.LUA_OK) {
    lua.lua_pushnil(L)
    lua.lua_insert(L, -2)
    return 2
  }
  setEnvironment(L, -1)
  return 1
}

/** math.random as Redis has it (its lrand48, Lua 5.1's argument handling). */
const mathRandom = (L: unknown, random: Lrand48): number => {
  const r = (random.next() % LRAND48_MAX) / LRAND48_MAX
  switch (lua.lua_gettop(L)) {
    case 0:
      lua.lua_pushnumber(L, r)
      return 1
    case 1: {
      const upper = Math.trunc(lauxlib.luaL_checknumber(L, 1))
      lauxlib.luaL_argcheck(L, 1 <= upper, 1, luaBytes("interval is empty"))
      lua.lua_pushnumber(L, Math.floor(r * upper) + 1)
      return 1
    }
    case 2: {
      const lower = Math.trunc(lauxlib.luaL_checknumber(L, 1))
      const upper = Math.trunc(lauxlib.luaL_checknumber(L, 2))
      lauxlib.luaL_argcheck(L, lower <= upper, 2, luaBytes("interval is empty"))
      lua.lua_pushnumber(L, Math.floor(r * (upper - lower + 1)) + lower)
      return 1
    }
    default:
      return lauxlib.luaL_error(L, luaBytes("wrong number of arguments"))
  }
}
