/**
 * The Lua VM of EVAL and FUNCTION: fengari (Lua 5.3 in plain JavaScript, chosen over wasmoon by
 * measurement: ~16x the calls per second, a synchronous API and count hooks), set up as Redis 7.0's
 * Lua 5.1 sandbox.
 *
 * - One state per server; scripts are compiled once, by SHA1 of their body (SCRIPT EXISTS sees
 *   EVAL'd scripts), and each runs as a function whose `_ENV` is a read-only view of the globals:
 *   creating a global answers Redis's "Attempt to modify a readonly table", reading an undeclared
 *   one "Script attempted to access nonexistent global variable".
 * - Libraries: base (no dofile/loadfile/print), table, string, math, coroutine, cjson, cmsgpack,
 *   bit, struct, and 5.1's names (unpack, loadstring, table.getn, math.pow, ...). No os, io,
 *   require, debug. math.random is Redis's: its lrand48, in one sequence across scripts, from
 *   lrand48's unseeded state until a script calls math.randomseed. (Replay does not depend on
 *   it: the AOF gets a script's effects.)
 * - `redis.*` reaches the server through a `ScriptHost` the commands layer supplies (this module
 *   never dispatches commands itself).
 * - A script runs as a coroutine resumed from JavaScript, so a count hook could yield it; the
 *   script's own errors are caught by an `xpcall` inside the coroutine whose handler records the
 *   source and line, as Redis's error handler does.
 */
import * as os from "node:os"
import * as v8 from "node:v8"
import fengari from "fengari"
import lobject from "fengari/src/lobject.js"
import lstring from "fengari/src/lstring.js"
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import { FIELD, pushErrorTable, pushReply, writeLuaValue } from "./conversions.js"
import { openRedisLibraries } from "./libraries/index.js"
import { lua51Wording, raiseTable, raiseWithPosition, writeScriptError } from "./luaErrors.js"
import { installPcall, Lrand48, LRAND48_MAX, protectLibraries, sandbox } from "./sandbox.js"
import {
  type CompiledScript,
  type Execution,
  isValidName,
  parseShebang,
  type RegisteredFunction,
  type RunOutcome,
  SCRIPT_FLAGS,
  type ScriptFlag,
  type ScriptHost,
  sha1hex
} from "./ScriptTypes.js"

export * from "./ScriptTypes.js"
import { byteText, cachedText, formatG, luaBytes, luaNumberText, pushByteString, useLua51NumberText } from "./luaText.js"

const { lua, lauxlib, lualib } = fengari

/** Instructions between two calls of the count hook (a clock read each). */
const HOOK_INSTRUCTIONS = 10000
const LOAD_TIMEOUT_MS = 500
/**
 * Memory (JS heap and the byte arrays holding Lua strings) past which a running script is stopped
 * with "not enough memory", checked every 16th hook call.
 */
const MEMORY_LIMIT = Math.min(v8.getHeapStatistics().heap_size_limit * 0.75, os.totalmem() / 2)
const usedMemory = (): number => {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

const REDIS_VERSION = "7.0.15"
const REDIS_VERSION_NUM = (7 << 16) | (0 << 8) | 15

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

export class LuaEngine {
  private readonly L: unknown
  private host: ScriptHost | undefined = undefined
  /** redis.setresp: the protocol redis.call's replies are converted from (per run). */
  private resp = 2
  private readonly random = new Lrand48()
  /** The globals table scripts see (read-only through `env`). */
  private globalsRef = 0
  private envRef = 0
  private runnerRef = 0
  private readonly scripts = new Map<string, CompiledScript>()
  /** The same scripts by body (each body is the key of one script, its `body` string). */
  private readonly byBody = new Map<string, CompiledScript>()
  /** The coroutine scripts run in (a new one after a script errors). */
  private thread: unknown = undefined
  private threadRef = -1
  /** FUNCTION libraries' globals view, its metatable (whose __index is switched for loading) and the load-time API. */
  private functionsEnvRef = 0
  private functionsMetaRef = 0
  private loadApiRef = 0
  /** The functions the library being loaded registered so far (only during FUNCTION LOAD). */
  private registering: Array<RegisteredFunction> | undefined = undefined
  private execution: Execution | undefined = undefined
  private hookCalls = 0
  private readonly keysName: unknown
  private readonly argvName: unknown

  constructor() {
    useLua51NumberText()
    const L = lauxlib.luaL_newstate()
    this.L = L
    this.keysName = lstring.luaS_bless(L, KEYS_NAME)
    this.argvName = lstring.luaS_bless(L, ARGV_NAME)
    this.openLibraries()
    this.openRedis()
    installPcall(L)
    protectLibraries(L)
    const { envRef, globalsRef } = sandbox(L)
    this.envRef = envRef
    this.globalsRef = globalsRef
    this.setUpFunctions()
  }

  /** Number of cached scripts (INFO's number_of_cached_scripts). */
  get scriptCount(): number {
    return this.scripts.size
  }

  /** Memory the cached scripts' bodies take (INFO's used_memory_scripts_eval, approximated). */
  get scriptBytes(): number {
    let total = 0
    for (const script of this.scripts.values()) total += script.body.length
    return total
  }

  get(sha: string): CompiledScript | undefined {
    return this.scripts.get(sha.toLowerCase())
  }

  /** Compiles `body` (or finds it compiled): the script, or the error line. */
  compile(body: string): CompiledScript | string {
    // EVAL of a known body skips its SHA1 (a string's hash is computed by V8, and cached on it).
    const same = this.byBody.get(body)
    if (same !== undefined) return same
    const sha = sha1hex(body)
    const known = this.scripts.get(sha)
    if (known !== undefined) return known
    const shebang = parseShebang(body)
    if (typeof shebang === "string") return shebang
    const ref = this.load(shebang.code, "@user_script")
    if (typeof ref === "string") return `ERR Error compiling script (new function): ${ref}`
    const script: CompiledScript = { sha, body, ref, flags: shebang.flags }
    this.scripts.set(sha, script)
    this.byBody.set(body, script)
    return script
  }

  /** SCRIPT FLUSH: forgets every script. */
  flush(): void {
    const L = this.L
    for (const script of this.scripts.values()) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, script.ref)
    this.scripts.clear()
    this.byBody.clear()
    lua.lua_gc(L, lua.LUA_GCCOLLECT, 0)
  }

  /**
   * Runs a compiled script with KEYS and ARGV; writes its reply (or error) into `out`, in
   * `out.protocol`. `name` is what errors call it (a SHA1, or a function's name).
   */
  run(
    ref: number,
    name: string,
    keys: ReadonlyArray<string>,
    args: ReadonlyArray<string>,
    host: ScriptHost,
    out: ReplyWriter,
    busyAfterMs = 0
  ): RunOutcome {
    const L = this.L
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef)
    // The names' Lua strings are made once: their hashes (as table keys) are computed once.
    lobject.pushsvalue2s(L, this.keysName)
    pushStringArray(L, keys)
    lua.lua_rawset(L, -3)
    lobject.pushsvalue2s(L, this.argvName)
    pushStringArray(L, args)
    lua.lua_rawset(L, -3)
    lua.lua_pop(L, 1)
    return this.runFunction(ref, name, undefined, host, out, busyAfterMs)
  }

  /**
   * Runs the function at registry `ref`, with `pushArgs` pushing its arguments (FCALL's keys and
   * args tables), and writes its reply or error into `out`. After `busyAfterMs` of running (0:
   * never) the script is suspended instead ("busy"): `resume` continues it.
   */
  runFunction(
    ref: number,
    name: string,
    pushArgs: ((L: unknown) => number) | undefined,
    host: ScriptHost,
    out: ReplyWriter,
    busyAfterMs = 0
  ): RunOutcome {
    const thread = this.coroutine()
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, this.runnerRef)
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, ref)
    if (pushArgs !== undefined) {
      // The runner calls one function without arguments: bind them in a closure.
      const count = pushArgs(thread)
      lua.lua_pushcclosure(thread, callWithUpvalues(count), count + 1)
    }
    const startedAt = performance.now()
    this.execution = {
      name,
      host,
      thread,
      resp: 2,
      startedAt,
      yieldAt: busyAfterMs > 0 ? startedAt + busyAfterMs : Infinity,
      kill: undefined
    }
    return this.step(out, 1)
  }

  /** The script that went busy, if one did and has not ended. */
  get running(): Execution | undefined {
    return this.execution
  }

  /** Runs the busy script for about `sliceMs` more; writes its reply into `out` if it ends. */
  resume(out: ReplyWriter, sliceMs: number): RunOutcome {
    const execution = this.execution
    if (execution === undefined) return "error"
    execution.yieldAt = performance.now() + sliceMs
    return this.step(out, 0)
  }

  /** SCRIPT KILL / FUNCTION KILL: the busy script raises `message` at its next hook. */
  kill(message: string): void {
    if (this.execution !== undefined) this.execution.kill = message
  }

  /** Drops the busy script without a reply (the server is shutting down). */
  abandon(): void {
    this.execution = undefined
    this.dropCoroutine()
  }

  private step(out: ReplyWriter, nargs: number): RunOutcome {
    const execution = this.execution!
    const thread = execution.thread
    this.host = execution.host
    this.resp = execution.resp
    let status: number
    try {
      status = lua.lua_resume(thread, this.L, nargs)
    } catch (defect) {
      // fengari lets a few failures out as JavaScript exceptions (a JavaScript stack overflow in
      // runaway metamethod recursion): an error reply, and a fresh coroutine for the next script.
      this.execution = undefined
      this.dropCoroutine()
      const message = defect instanceof Error ? defect.message : String(defect)
      out.error(`ERR Error running script (call to ${execution.name}): @${message}`)
      return "error"
    } finally {
      execution.resp = this.resp
      this.host = undefined
    }
    if (status === lua.LUA_YIELD) return "busy"
    this.execution = undefined
    const name = execution.name
    if (status !== lua.LUA_OK) {
      // Only a failure of the machinery itself gets here (the script's errors end in xpcall).
      const message = lua.lua_type(thread, -1) === lua.LUA_TSTRING ? byteText(lua.lua_tolstring(thread, -1)) : "unknown"
      this.dropCoroutine()
      out.error(`ERR Error running script (call to ${name}): @${message}`)
      return "error"
    }
    const top = lua.lua_gettop(thread)
    const succeeded = top >= 1 && lua.lua_toboolean(thread, 1)
    let outcome: RunOutcome = "ok"
    if (succeeded) {
      if (top >= 2) lua.lua_settop(thread, 2)
      else lua.lua_pushnil(thread)
      writeLuaValue(thread, out, execution.resp)
    } else {
      outcome = "error"
      writeScriptError(thread, name, out)
    }
    lua.lua_settop(thread, 0)
    // An error raised by the hook (SCRIPT KILL) leaves fengari's thread with hooks disabled: the
    // next script gets a new coroutine.
    if (execution.kill !== undefined || execution.hookRaised) this.dropCoroutine()
    return outcome
  }

  /**
   * The count hook of script coroutines: raises the kill error once SCRIPT KILL asked, and
   * yields the script back to its caller once its time is up (see src/commands/scripting/busy.ts).
   */
  private onHook(T: unknown): void {
    const execution = this.execution
    if (execution === undefined) return
    if (execution.kill !== undefined) {
      raiseTable(T, execution.kill)
      return
    }
    // Lua's memory is the process's heap: a script that would exhaust it gets an error instead.
    if ((++this.hookCalls & 15) === 0 && usedMemory() > MEMORY_LIMIT) {
      execution.hookRaised = true
      raiseTable(T, "not enough memory")
      return
    }
    if (performance.now() >= execution.yieldAt && lua.lua_isyieldable(T)) lua.lua_yield(T, 0)
  }

  /** Loads `code` as a chunk called `chunkName` with the sandbox's globals: its registry ref, or the error. */
  load(code: string, chunkName: string): number | string {
    const L = this.L
    const status = lauxlib.luaL_loadbufferx(L, luaBytes(code), null, luaBytes(chunkName), TEXT_MODE)
    if (status !== lua.LUA_OK) {
      const message = byteText(lua.lua_tolstring(L, -1))
      lua.lua_pop(L, 1)
      return message
    }
    this.setEnvironment(L, -1)
    return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  }

  /** Releases a reference from `load`. */
  unref(ref: number): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref)
  }

  /** The Lua state, for the FUNCTION machinery. */
  get state(): unknown {
    return this.L
  }

  // --- set-up ---

  private coroutine(): unknown {
    const L = this.L
    if (this.thread !== undefined && lua.lua_status(this.thread) === lua.LUA_OK) return this.thread
    this.dropCoroutine()
    this.thread = lua.lua_newthread(L)
    this.threadRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    lua.lua_sethook(this.thread, (T: unknown) => this.onHook(T), lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS)
    return this.thread
  }

  private dropCoroutine(): void {
    if (this.threadRef >= 0) lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, this.threadRef)
    this.thread = undefined
    this.threadRef = -1
  }

  /** Sets the first upvalue (`_ENV`) of the function at `index` to the read-only globals view. */
  setEnvironment(L: unknown, index: number): void {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.envRef)
    lua.lua_setupvalue(L, index < 0 ? index - 1 : index, 1)
  }

  private openLibraries(): void {
    const L = this.L
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
    this.runnerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
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
    lua.lua_pushcfunction(L, (L: unknown) => this.loadstring(L))
    lua.lua_setglobal(L, luaBytes("loadstring"))
    lua.lua_getglobal(L, luaBytes("math"))
    lua.lua_pushcfunction(L, (L: unknown) => this.mathRandom(L))
    lua.lua_setfield(L, -2, luaBytes("random"))
    lua.lua_pushcfunction(L, (L: unknown) => {
      this.random.seed(Number(lauxlib.luaL_checkinteger(L, 1)))
      return 0
    })
    lua.lua_setfield(L, -2, luaBytes("randomseed"))
    lua.lua_pop(L, 1)
  }

  /** loadstring(text [, name]): 5.1's, text only, compiled with the sandbox's globals. */
  private loadstring(L: unknown): number {
    const code = lauxlib.luaL_checklstring(L, 1)
    const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? lua.lua_tolstring(L, 2) : code
    const status = lauxlib.luaL_loadbufferx(L, code, null, name, TEXT_MODE)
    if (status !== lua.LUA_OK) {
      lua.lua_pushnil(L)
      lua.lua_insert(L, -2)
      return 2
    }
    this.setEnvironment(L, -1)
    return 1
  }

  /** math.random as Redis has it (its lrand48, Lua 5.1's argument handling). */
  private mathRandom(L: unknown): number {
    const r = (this.random.next() % LRAND48_MAX) / LRAND48_MAX
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

  private openRedis(): void {
    const L = this.L
    lua.lua_createtable(L, 0, 24)
    const fn = (name: string, f: (L: unknown) => number) => {
      lua.lua_pushcfunction(L, f)
      lua.lua_setfield(L, -2, luaBytes(name))
    }
    const num = (name: string, value: number) => {
      lua.lua_pushnumber(L, value)
      lua.lua_setfield(L, -2, luaBytes(name))
    }
    fn("call", (L) => this.redisCall(L, true))
    fn("pcall", (L) => this.redisCall(L, false))
    fn("log", (L) => this.redisLog(L))
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
      this.resp = resp
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
      const allowed = this.host?.aclCheck(argv)
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
  private redisCall(L: unknown, raise: boolean): number {
    const fail = (message: string): number => {
      pushErrorTable(L, message)
      return raise ? lua.lua_error(L) : 1
    }
    const argc = lua.lua_gettop(L)
    if (argc === 0) return fail("Please specify at least one argument for this redis lib call")
    const argv = scriptArguments(L)
    if (argv === undefined) return fail("Lua redis lib command arguments must be strings or integers")
    if (this.host === undefined) return fail("Please specify at least one argument for this redis lib call")
    const reply = this.host.call(argv, this.resp)
    if (typeof reply === "string") return fail(reply)
    // An error reply becomes the error table (and, from redis.call, is raised).
    if (reply[0] === 45) return fail(byteText(reply.subarray(0, reply.length - 2)))
    pushReply(L, reply, 0)
    return 1
  }

  private redisLog(L: unknown): number {
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
    this.host?.log(level, parts.join(" "))
    return 0
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
    for (const fn of registered) this.unref(fn.ref)
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

  /** The globals view of function libraries, and the load-time API (see `loadLibrary`). */
  private setUpFunctions(): void {
    const L = this.L
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
    fn("log", (L) => this.redisLog(L))
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
}

const KEYS_NAME = luaBytes("KEYS")
const ARGV_NAME = luaBytes("ARGV")
const TEXT_MODE = luaBytes("t")

export const pushStringArray = (L: unknown, values: ReadonlyArray<string>): void => {
  lua.lua_createtable(L, values.length, 0)
  for (let i = 0; i < values.length; i++) {
    pushByteString(L, values[i])
    lua.lua_rawseti(L, -2, i + 1)
  }
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

/** A C closure calling its first upvalue with the others as arguments (FCALL's bound call). */
const callWithUpvalues = (count: number) => (L: unknown): number => {
  for (let i = 1; i <= count + 1; i++) lua.lua_pushvalue(L, lua.lua_upvalueindex(i))
  lua.lua_callk(L, count, 1, 0, () => 1)
  return 1
}

