/**
 * The `bit` library (LuaBitOp 1.0, as Redis bundles it): 32-bit operations on Lua numbers, whose
 * results are signed 32-bit integers.
 */
import fengari from "fengari"
import { luaBytes } from "../luaText.js"
import { registerLibrary } from "./registration.js"

const { lua, lauxlib } = fengari

/** LuaBitOp's normalisation: round to the nearest integer (ties to even), then keep 32 bits. */
const toBit = (x: number): number => {
  if (!Number.isFinite(x)) return 0
  let n = x
  if (!Number.isInteger(n)) {
    const floor = Math.floor(n)
    const diff = n - floor
    n = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1
  }
  if (Math.abs(n) > 2 ** 53) n = n % 2 ** 32
  return n | 0
}

const arg = (L: unknown, i: number): number => toBit(lauxlib.luaL_checknumber(L, i))
const push = (L: unknown, value: number): number => {
  lua.lua_pushnumber(L, value | 0)
  return 1
}

const fold = (op: (a: number, b: number) => number) => (L: unknown): number => {
  let value = arg(L, 1)
  for (let i = lua.lua_gettop(L); i > 1; i--) value = op(value, arg(L, i))
  return push(L, value)
}

export const openBit = (L: unknown): void =>
  registerLibrary(L, "bit", {
    tobit: (L) => push(L, arg(L, 1)),
    bnot: (L) => push(L, ~arg(L, 1)),
    band: fold((a, b) => a & b),
    bor: fold((a, b) => a | b),
    bxor: fold((a, b) => a ^ b),
    lshift: (L) => push(L, arg(L, 1) << (arg(L, 2) & 31)),
    rshift: (L) => push(L, arg(L, 1) >>> (arg(L, 2) & 31)),
    arshift: (L) => push(L, arg(L, 1) >> (arg(L, 2) & 31)),
    rol: (L) => {
      const x = arg(L, 1)
      const n = arg(L, 2) & 31
      return push(L, (x << n) | (x >>> (32 - n)))
    },
    ror: (L) => {
      const x = arg(L, 1)
      const n = arg(L, 2) & 31
      return push(L, (x >>> n) | (x << (32 - n)))
    },
    bswap: (L) => {
      const x = arg(L, 1)
      return push(L, ((x >>> 24) & 0xff) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24))
    },
    tohex: (L) => {
      let x = arg(L, 1)
      let n = lua.lua_isnoneornil(L, 2) ? 8 : arg(L, 2)
      let digits = "0123456789abcdef"
      if (n < 0) {
        n = -n
        digits = "0123456789ABCDEF"
      }
      if (n > 8) n = 8
      let text = ""
      for (let i = 0; i < n; i++) {
        text = digits[x & 15] + text
        x >>>= 4
      }
      lua.lua_pushstring(L, luaBytes(text))
      return 1
    }
  })
