/**
 * Text between redfiber and Lua. The keyspace's strings are byte strings (one char per byte,
 * latin1); Lua's are byte arrays. Numbers print as Lua 5.1 (Redis's Lua) prints them: fengari is
 * Lua 5.3, whose floats print with a trailing ".0" and which has an integer subtype; scripts see
 * every number as 5.1's double, printed with "%.14g".
 */
import lobject from "fengari/src/lobject.js"
import lstring from "fengari/src/lstring.js"

/** A byte string as a Lua string. */
export const luaBytes = (text: string): Uint8Array => {
  const n = text.length
  const bytes = new Uint8Array(n)
  for (let i = 0; i < n; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

/** A Lua string as a byte string. */
export const byteText = (bytes: Uint8Array): string => {
  const n = bytes.length
  if (n < 64) {
    let text = ""
    for (let i = 0; i < n; i++) text += String.fromCharCode(bytes[i])
    return text
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString("latin1")
}

const stripZeros = (fixed: string): string => {
  if (fixed.indexOf(".") < 0) return fixed
  let end = fixed.length
  while (fixed.charCodeAt(end - 1) === 48) end--
  if (fixed.charCodeAt(end - 1) === 46) end--
  return fixed.slice(0, end)
}

/** C's `%.<precision>g`, as glibc prints it (nan, inf spelled as Linux does). */
export const formatG = (x: number, precision: number): string => {
  if (x !== x) return "-nan"
  if (x === Infinity) return "inf"
  if (x === -Infinity) return "-inf"
  if (x === 0) return Object.is(x, -0) ? "-0" : "0"
  const exponential = x.toExponential(precision - 1)
  const e = exponential.indexOf("e")
  const exponent = Number(exponential.slice(e + 1))
  if (exponent < -4 || exponent >= precision) {
    const digits = Math.abs(exponent)
    return `${stripZeros(exponential.slice(0, e))}e${exponent < 0 ? "-" : "+"}${digits < 10 ? "0" : ""}${digits}`
  }
  return stripZeros(x.toFixed(precision - 1 - exponent))
}

/** How Lua 5.1 prints a number (LUA_NUMBER_FMT "%.14g"). */
export const luaNumberText = (x: number): string =>
  Number.isInteger(x) && Math.abs(x) < 1e14 ? String(x + 0) : formatG(x, 14)

let patched = false
/**
 * Makes fengari's number-to-string conversion (tostring, concatenation, lua_tolstring) Lua 5.1's:
 * every number as a double printed with "%.14g", so `tostring(10/2)` is "5" as in Redis.
 */
export const useLua51NumberText = (): void => {
  if (patched) return
  patched = true
  lobject.luaO_tostring = (L: unknown, obj: any): void => {
    const value = obj.ttisinteger() ? Number(obj.value) : obj.value
    obj.setsvalue(lstring.luaS_bless(L, luaBytes(luaNumberText(value))))
  }
}
