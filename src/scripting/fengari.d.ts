/**
 * The parts of fengari (Lua 5.3 in JavaScript, a CommonJS package without types) the scripting
 * feature uses. Its API mirrors Lua's C API; Lua strings are byte arrays (Uint8Array).
 */
declare module "fengari" {
  /** A Lua state (`lua_State *`). */
  export type LuaState = { readonly __luaState: unique symbol }
  export type LuaCFunction = (L: LuaState) => number
  const fengari: {
    readonly lua: any
    readonly lauxlib: any
    readonly lualib: any
    to_luastring(text: string): Uint8Array
  }
  export default fengari
}
declare module "fengari/src/lobject.js" {
  const lobject: {
    luaO_tostring: (L: unknown, obj: any) => void
    luaO_str2num: (text: Uint8Array, obj: any) => number
    pushsvalue2s: (L: unknown, ts: unknown) => void
  }
  export default lobject
}
declare module "fengari/src/lstring.js" {
  const lstring: { luaS_bless: (L: unknown, bytes: Uint8Array) => unknown }
  export default lstring
}
