/**
 * FUNCTION LOAD's side of the VM: runs a library's code with the load-time globals (only
 * `redis.register_function`, `redis.log` and the version, as in Redis 7.0), collects what it
 * registers, and gives the libraries' functions their globals view once loaded.
 */
import fengari from "fengari"
import { FIELD } from "./conversions.js"
import { lua51Wording, raiseTable, raiseWithPosition } from "./luaErrors.js"
import { byteText, luaBytes } from "./luaText.js"
import { type CallState, REDIS_VERSION, REDIS_VERSION_NUM, redisLog } from "./redisApi.js"
import { isValidName, type RegisteredFunction, SCRIPT_FLAGS, type ScriptFlag } from "./ScriptTypes.js"

const { lua, lauxlib } = fengari

/** Instructions between two checks of the load deadline. */
const HOOK_INSTRUCTIONS = 10000
const LOAD_TIMEOUT_MS = 500
const TEXT_MODE = luaBytes("t")

export class FunctionLoader {
  /** FUNCTION libraries' globals view, its metatable (whose __index is switched for loading) and the load-time API. */
  private functionsEnvRef = 0
  private functionsMetaRef = 0
  private loadApiRef = 0
  /** The functions the library being loaded registered so far (only during FUNCTION LOAD). */
  private registering: Array<RegisteredFunction> | undefined = undefined

  /** The globals view of function libraries, and the load-time API (see `loadLibrary`). */
  constructor(
    private readonly L: unknown,
    private readonly globalsRef: number,
    private readonly state: CallState
  ) {
    const nonexistent = (L: unknown) => {
      const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? byteText(lua.lua_tolstring(L, 2)) : "?"
      return raiseWithPosition(L, `Script attempted to access nonexistent global variable '${name}'`)
    }
    const readonly = (L: unknown) => raiseWithPosition(L, "Attempt to modify a readonly table")
    const protect = () => {
      lua.lua_createtable(L, 0, 3)
      lua.lua_pushcfunction(L, nonexistent)
      lua.lua_setfield(L, -2, luaBytes("__index"))
      lua.lua_pushcfunction(L, readonly)
      lua.lua_setfield(L, -2, luaBytes("__newindex"))
      lua.lua_pushboolean(L, false)
      lua.lua_setfield(L, -2, luaBytes("__metatable"))
      lua.lua_setmetatable(L, -2)
    }
    // The load-time API: { redis = { register_function, log, LOG_*, REDIS_VERSION(_NUM) } }.
    lua.lua_createtable(L, 0, 1)
    lua.lua_createtable(L, 0, 8)
    const fn = (name: string, f: (L: unknown) => number) => {
      lua.lua_pushcfunction(L, f)
      lua.lua_setfield(L, -2, luaBytes(name))
    }
    fn("register_function", (L) => this.registerFunction(L))
    fn("log", (L) => redisLog(L, this.state))
    for (const [name, value] of [["LOG_DEBUG", 0], ["LOG_VERBOSE", 1], ["LOG_NOTICE", 2], ["LOG_WARNING", 3], ["REDIS_VERSION_NUM", REDIS_VERSION_NUM]] as const) {
      lua.lua_pushnumber(L, value)
      lua.lua_setfield(L, -2, luaBytes(name))
    }
    lua.lua_pushstring(L, luaBytes(REDIS_VERSION))
    lua.lua_setfield(L, -2, luaBytes("REDIS_VERSION"))
    protect()
    lua.lua_setfield(L, -2, luaBytes("redis"))
    protect()
    this.loadApiRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    // The libraries' globals: an empty view whose __index is the globals (or, while loading, the API).
    lua.lua_createtable(L, 0, 0)
    lua.lua_createtable(L, 0, 3)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef)
    lua.lua_setfield(L, -2, luaBytes("__index"))
    lua.lua_pushcfunction(L, readonly)
    lua.lua_setfield(L, -2, luaBytes("__newindex"))
    lua.lua_pushboolean(L, false)
    lua.lua_setfield(L, -2, luaBytes("__metatable"))
    lua.lua_pushvalue(L, -1)
    this.functionsMetaRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    lua.lua_setmetatable(L, -2)
    this.functionsEnvRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  }

  /**
   * Runs a library's code (without its shebang line) with the load-time globals — only
   * `redis.register_function`, `redis.log` and the version — and returns what it registered, or
   * the error line.
   */
  loadLibrary(code: string): Array<RegisteredFunction> | string {
    const L = this.L
    if (lauxlib.luaL_loadbufferx(L, luaBytes(code), null, luaBytes("@user_function"), TEXT_MODE) !== lua.LUA_OK) {
      const message = byteText(lua.lua_tolstring(L, -1))
      lua.lua_pop(L, 1)
      return `ERR Error compiling function: ${message}`
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.functionsEnvRef)
    lua.lua_setupvalue(L, -2, 1)
    this.switchFunctionGlobals(this.loadApiRef)
    this.registering = []
    // Loading may take 500 ms at most, as in Redis.
    const deadline = performance.now() + LOAD_TIMEOUT_MS
    lua.lua_sethook(L, (T: unknown) => {
      if (performance.now() > deadline) raiseTable(T, "FUNCTION LOAD timeout")
    }, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS)
    const status = lua.lua_pcall(L, 0, 0, 0)
    lua.lua_sethook(L, null, 0, 0)
    this.switchFunctionGlobals(this.globalsRef)
    const registered = this.registering
    this.registering = undefined
    if (status === lua.LUA_OK) return registered.length === 0 ? "ERR No functions registered" : registered
    let message = "ERR unknown error"
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      lua.lua_getfield(L, -1, FIELD.err)
      if (lua.lua_type(L, -1) === lua.LUA_TSTRING) message = byteText(lua.lua_tolstring(L, -1))
      lua.lua_pop(L, 1)
    } else if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
      message = `ERR ${lua51Wording(byteText(lua.lua_tolstring(L, -1)))}`
    }
    lua.lua_pop(L, 1)
    for (const fn of registered) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, fn.ref)
    return `ERR Error registering functions: ${message}`
  }

  private switchFunctionGlobals(ref: number): void {
    const L = this.L
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.functionsMetaRef)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref)
    lua.lua_setfield(L, -2, luaBytes("__index"))
    lua.lua_pop(L, 1)
  }

  /** redis.register_function(name, callback) or redis.register_function{function_name=..., callback=..., flags=..., description=...}. */
  private registerFunction(L: unknown): number {
    const registering = this.registering
    if (registering === undefined) return raiseTable(L, "redis.register_function can only be called on FUNCTION LOAD command")
    const argc = lua.lua_gettop(L)
    let name: string | undefined
    let description: string | undefined
    const flags = new Set<ScriptFlag>()
    let callbackIndex = 0
    if (argc === 1) {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
        return raiseTable(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
      }
      lua.lua_pushnil(L)
      while (lua.lua_next(L, 1) !== 0) {
        const key = lua.lua_type(L, -2) === lua.LUA_TSTRING ? byteText(lua.lua_tolstring(L, -2)) : undefined
        const type = lua.lua_type(L, -1)
        if (key === "function_name") {
          if (type !== lua.LUA_TSTRING) return raiseTable(L, "function_name argument given to redis.register_function must be a string")
          name = byteText(lua.lua_tolstring(L, -1))
        } else if (key === "description") {
          if (type !== lua.LUA_TSTRING) return raiseTable(L, "description argument given to redis.register_function must be a string")
          description = byteText(lua.lua_tolstring(L, -1))
        } else if (key === "callback") {
          if (type !== lua.LUA_TFUNCTION) return raiseTable(L, "callback argument given to redis.register_function must be a function")
          lua.lua_pushvalue(L, -1)
          lua.lua_insert(L, 2)
          callbackIndex = 2
        } else if (key === "flags") {
          if (type !== lua.LUA_TTABLE) return raiseTable(L, "flags argument to redis.register_function must be a table representing function flags")
          for (let i = 1; lua.lua_rawgeti(L, -1, i) !== lua.LUA_TNIL; i++) {
            const flag = lua.lua_type(L, -1) === lua.LUA_TSTRING ? byteText(lua.lua_tolstring(L, -1)) : ""
            lua.lua_pop(L, 1)
            if (!(SCRIPT_FLAGS as ReadonlyArray<string>).includes(flag)) return raiseTable(L, "unknown flag given")
            flags.add(flag as ScriptFlag)
          }
          lua.lua_pop(L, 1)
        } else {
          return raiseTable(L, "unknown argument given to redis.register_function")
        }
        lua.lua_pop(L, 1)
      }
      if (name === undefined) return raiseTable(L, "redis.register_function must get a function name argument")
      if (callbackIndex === 0) return raiseTable(L, "redis.register_function must get a callback argument")
    } else if (argc === 2) {
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raiseTable(L, "function_name argument given to redis.register_function must be a string")
      if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return raiseTable(L, "callback argument given to redis.register_function must be a function")
      name = byteText(lua.lua_tolstring(L, 1))
      callbackIndex = 2
    } else {
      return raiseTable(L, "wrong number of arguments to redis.register_function")
    }
    if (!isValidName(name)) {
      return raiseTable(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
    }
    if (registering.some((fn) => fn.name === name)) return raiseTable(L, "Function already exists in the library")
    lua.lua_pushvalue(L, callbackIndex)
    registering.push({ name, ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX), flags, description })
    return 0
  }
}
