/**
 * The `redis` table of scripts: redis.call and redis.pcall (through the `ScriptHost` of the run,
 * which the commands layer supplies: this module never dispatches commands itself), the reply
 * helpers, redis.log, redis.setresp, the replication and ACL calls, the constants.
 */
import fengari from "fengari"
import { FIELD, pushErrorTable, pushReply } from "./conversions.js"
import { raiseTable } from "./luaErrors.js"
import { byteText, cachedText, formatG, luaBytes } from "./luaText.js"
import { type ScriptHost, sha1hex } from "./ScriptTypes.js"

const { lua, lauxlib } = fengari

export const REDIS_VERSION = "7.0.15"
export const REDIS_VERSION_NUM = (7 << 16) | (0 << 8) | 15

/** What redis.* calls act on: the running script's host and the protocol redis.setresp chose. */
export interface CallState {
  host: ScriptHost | undefined
  resp: number
}

/** Sets the global `redis` of `L`. */
export const openRedisApi = (L: unknown, state: CallState): void => {
  lua.lua_createtable(L, 0, 24)
  const fn = (name: string, f: (L: unknown) => number) => {
    lua.lua_pushcfunction(L, f)
    lua.lua_setfield(L, -2, luaBytes(name))
  }
  const num = (name: string, value: number) => {
    lua.lua_pushnumber(L, value)
    lua.lua_setfield(L, -2, luaBytes(name))
  }
  fn("call", (L) => redisCall(L, state, true))
  fn("pcall", (L) => redisCall(L, state, false))
  fn("log", (L) => redisLog(L, state))
  fn("sha1hex", (L) => {
    if (lua.lua_gettop(L) !== 1) return raiseTable(L, "wrong number of arguments")
    const text = lua.lua_tolstring(L, 1)
    lua.lua_pushstring(L, luaBytes(sha1hex(text === null ? "" : byteText(text))))
    return 1
  })
  fn("error_reply", (L) => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      pushErrorTable(L, "wrong number or type of arguments")
      return 1
    }
    const text = byteText(lua.lua_tolstring(L, 1))
    pushErrorTable(L, text.charCodeAt(0) === 45 ? text : `-${text}`)
    return 1
  })
  fn("status_reply", (L) => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      pushErrorTable(L, "wrong number or type of arguments")
      return 1
    }
    lua.lua_createtable(L, 0, 1)
    lua.lua_pushstring(L, FIELD.ok)
    lua.lua_pushvalue(L, 1)
    lua.lua_rawset(L, -3)
    return 1
  })
  fn("setresp", (L) => {
    if (lua.lua_gettop(L) !== 1) return raiseTable(L, "redis.setresp() requires one argument.")
    const resp = Number(lauxlib.luaL_checkinteger(L, 1))
    if (resp !== 2 && resp !== 3) return raiseTable(L, "RESP version must be 2 or 3.")
    state.resp = resp
    return 0
  })
  fn("set_repl", (L) => {
    if (lua.lua_gettop(L) !== 1) return raiseTable(L, "redis.set_repl() requires one argument.")
    const flags = Number(lauxlib.luaL_checkinteger(L, 1))
    if ((flags & ~3) !== 0) return raiseTable(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
    return 0
  })
  fn("replicate_commands", (L) => {
    lua.lua_pushboolean(L, true)
    return 1
  })
  fn("breakpoint", (L) => {
    lua.lua_pushboolean(L, false)
    return 1
  })
  fn("debug", () => 0)
  fn("acl_check_cmd", (L) => {
    const argv = scriptArguments(L)
    if (argv === undefined) return raiseTable(L, "Lua redis lib command arguments must be strings or integers")
    if (argv.length === 0) return raiseTable(L, "Please specify at least one argument for this redis lib call")
    const allowed = state.host?.aclCheck(argv)
    if (allowed === undefined) return raiseTable(L, "Invalid command passed to redis.acl_check_cmd()")
    lua.lua_pushboolean(L, allowed)
    return 1
  })
  num("LOG_DEBUG", 0)
  num("LOG_VERBOSE", 1)
  num("LOG_NOTICE", 2)
  num("LOG_WARNING", 3)
  num("REPL_NONE", 0)
  num("REPL_AOF", 1)
  num("REPL_SLAVE", 2)
  num("REPL_REPLICA", 2)
  num("REPL_ALL", 3)
  lua.lua_pushstring(L, luaBytes(REDIS_VERSION))
  lua.lua_setfield(L, -2, luaBytes("REDIS_VERSION"))
  num("REDIS_VERSION_NUM", REDIS_VERSION_NUM)
  lua.lua_setglobal(L, luaBytes("redis"))
}

/** redis.call / redis.pcall. */
const redisCall = (L: unknown, state: CallState, raise: boolean): number => {
  const fail = (message: string): number => {
    pushErrorTable(L, message)
    return raise ? lua.lua_error(L) : 1
  }
  const argc = lua.lua_gettop(L)
  if (argc === 0) return fail("Please specify at least one argument for this redis lib call")
  const argv = scriptArguments(L)
  if (argv === undefined) return fail("Lua redis lib command arguments must be strings or integers")
  const host = state.host
  if (host === undefined) return fail("Please specify at least one argument for this redis lib call")
  const reply = host.call(argv, state.resp)
  if (typeof reply === "string") return fail(reply)
  // An error reply becomes the error table (and, from redis.call, is raised).
  if (reply[0] === 45) return fail(byteText(reply.subarray(0, reply.length - 2)))
  pushReply(L, reply, 0)
  return 1
}

/** redis.log(level, message...). */
export const redisLog = (L: unknown, state: CallState): number => {
  const argc = lua.lua_gettop(L)
  if (argc < 2) return raiseTable(L, "redis.log() requires two arguments or more.")
  if (lua.lua_type(L, 1) !== lua.LUA_TNUMBER) return raiseTable(L, "First argument must be a number (log level).")
  const level = lua.lua_tonumber(L, 1)
  if (level < 0 || level > 3) return raiseTable(L, "Invalid debug level.")
  const parts: Array<string> = []
  for (let i = 2; i <= argc; i++) {
    const text = lua.lua_tolstring(L, i)
    if (text !== null && text !== undefined) parts.push(byteText(text))
  }
  state.host?.log(level, parts.join(" "))
  return 0
}

/** The arguments of a redis.* call as a command's argv; undefined if one is neither string nor number. */
const scriptArguments = (L: unknown): Array<string> | undefined => {
  const argc = lua.lua_gettop(L)
  const argv: Array<string> = new Array(argc)
  for (let i = 1; i <= argc; i++) {
    const type = lua.lua_type(L, i)
    if (type === lua.LUA_TSTRING) argv[i - 1] = cachedText(lua.lua_tolstring(L, i))
    else if (type === lua.LUA_TNUMBER) argv[i - 1] = formatG(lua.lua_tonumber(L, i), 17)
    else return undefined
  }
  return argv
}
