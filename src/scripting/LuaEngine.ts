/**
 * The Lua VM of EVAL and FUNCTION: fengari (Lua 5.3 in plain JavaScript, chosen over wasmoon by
 * measurement: ~16x the calls per second, a synchronous API and count hooks), set up as Redis 7.0's
 * Lua 5.1 sandbox.
 *
 * - One state per server; scripts are compiled once, by SHA1 of their body (SCRIPT EXISTS sees
 *   EVAL'd scripts), and each runs as a function whose `_ENV` is a read-only view of the globals:
 *   creating a global answers Redis's "Attempt to modify a readonly table", reading an undeclared
 *   one "Script attempted to access nonexistent global variable".
 * - Libraries (luaStandardLibraries.ts): base (no dofile/loadfile/print), table, string, math,
 *   coroutine, cjson, cmsgpack, bit, struct, and 5.1's names (unpack, loadstring, table.getn,
 *   math.pow, ...). No os, io, require, debug. math.random is Redis's: its lrand48, in one
 *   sequence across scripts, from lrand48's unseeded state until a script calls
 *   math.randomseed. (Replay does not depend on it: the AOF gets a script's effects.)
 * - `redis.*` (redisApi.ts) reaches the server through a `ScriptHost` the commands layer supplies
 *   (this module never dispatches commands itself). FUNCTION LOAD's loading: functionLoader.ts;
 *   conversions between replies and Lua values: conversions.ts; the sandbox: sandbox.ts.
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
import { writeLuaValue } from "./conversions.js"
import { FunctionLoader } from "./functionLoader.js"
import { raiseTable, writeScriptError } from "./luaErrors.js"
import { openStandardLibraries } from "./luaStandardLibraries.js"
import { byteText, luaBytes, pushByteString, useLua51NumberText } from "./luaText.js"
import { type CallState, openRedisApi } from "./redisApi.js"
import { installPcall, Lrand48, protectLibraries, sandbox } from "./sandbox.js"
import {
  type CompiledScript,
  type Execution,
  parseShebang,
  type RegisteredFunction,
  type RunOutcome,
  type ScriptHost,
  sha1hex
} from "./ScriptTypes.js"

export * from "./ScriptTypes.js"

const { lua, lauxlib } = fengari

/** Instructions between two calls of the count hook (a clock read each). */
const HOOK_INSTRUCTIONS = 10000
/**
 * Memory (JS heap and the byte arrays holding Lua strings) past which a running script is stopped
 * with "not enough memory", checked every 16th hook call.
 */
const MEMORY_LIMIT = Math.min(v8.getHeapStatistics().heap_size_limit * 0.75, os.totalmem() / 2)
const usedMemory = (): number => {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

export class LuaEngine {
  private readonly L: unknown
  /** The running script's host, and redis.setresp's protocol for redis.call's replies (per run). */
  private readonly calls: CallState = { host: undefined, resp: 2 }
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
  private readonly functions: FunctionLoader
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
    this.runnerRef = openStandardLibraries(L, this.random, (L: unknown, index: number) => this.setEnvironment(L, index))
    openRedisApi(L, this.calls)
    installPcall(L)
    protectLibraries(L)
    const { envRef, globalsRef } = sandbox(L)
    this.envRef = envRef
    this.globalsRef = globalsRef
    this.functions = new FunctionLoader(L, globalsRef, this.calls)
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
    // Clients send the SHA1 as SCRIPT LOAD gave it (lower case): no copy for them.
    return this.scripts.get(sha) ?? this.scripts.get(sha.toLowerCase())
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
   * Runs a compiled script with KEYS (`argv[keysFrom..argsFrom)`) and ARGV (`argv[argsFrom..]`,
   * ranges rather than copies: EVAL's own argv); writes its reply (or error) into `out`, in
   * `out.protocol`. `name` is what errors call it (a SHA1, or a function's name).
   */
  run(
    ref: number,
    name: string,
    argv: ReadonlyArray<string>,
    keysFrom: number,
    argsFrom: number,
    host: ScriptHost,
    out: ReplyWriter,
    busyAfterMs = 0
  ): RunOutcome {
    const L = this.L
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef)
    // The names' Lua strings are made once: their hashes (as table keys) are computed once.
    lobject.pushsvalue2s(L, this.keysName)
    pushStringArray(L, argv, keysFrom, argsFrom)
    lua.lua_rawset(L, -3)
    lobject.pushsvalue2s(L, this.argvName)
    pushStringArray(L, argv, argsFrom, argv.length)
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
    const calls = this.calls
    calls.host = execution.host
    calls.resp = execution.resp
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
      execution.resp = calls.resp
      calls.host = undefined
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

  /**
   * Runs a library's code (without its shebang line) with the load-time globals and returns what
   * it registered, or the error line (see functionLoader.ts).
   */
  loadLibrary(code: string): Array<RegisteredFunction> | string {
    return this.functions.loadLibrary(code)
  }
}

const KEYS_NAME = luaBytes("KEYS")
const ARGV_NAME = luaBytes("ARGV")
const TEXT_MODE = luaBytes("t")

/** Pushes `values[from..to)` (all of them by default) as a Lua array of strings. */
export const pushStringArray = (L: unknown, values: ReadonlyArray<string>, from = 0, to = values.length): void => {
  lua.lua_createtable(L, to - from, 0)
  for (let i = from; i < to; i++) {
    pushByteString(L, values[i])
    lua.lua_rawseti(L, -2, i - from + 1)
  }
}

/** A C closure calling its first upvalue with the others as arguments (FCALL's bound call). */
const callWithUpvalues = (count: number) => (L: unknown): number => {
  for (let i = 1; i <= count + 1; i++) lua.lua_pushvalue(L, lua.lua_upvalueindex(i))
  lua.lua_callk(L, count, 1, 0, () => 1)
  return 1
}
