/** Helpers the Lua libraries share: registering a table of JavaScript functions as a global. */
import fengari from "fengari"
import { luaBytes } from "../luaText.js"

const { lua } = fengari

export type LuaFunction = (L: any) => number

/** Sets global `name` to a table of `functions` (and `values`, numbers or strings). */
export const registerLibrary = (
  L: unknown,
  name: string,
  functions: Readonly<Record<string, LuaFunction>>,
  values: Readonly<Record<string, number | string>> = {}
): void => {
  lua.lua_createtable(L, 0, Object.keys(functions).length)
  for (const [key, f] of Object.entries(functions)) {
    lua.lua_pushcfunction(L, f)
    lua.lua_setfield(L, -2, luaBytes(key))
  }
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === "number") lua.lua_pushnumber(L, value)
    else lua.lua_pushstring(L, luaBytes(value))
    lua.lua_setfield(L, -2, luaBytes(key))
  }
  lua.lua_setglobal(L, luaBytes(name))
}
