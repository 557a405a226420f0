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

/** Pushes bytes [from, to) of `bytes` as a Lua string: one copy, owned by Lua. */
export const pushByteRange = (L: unknown, bytes: Uint8Array, from: number, to: number): void => {
  const copy = new Uint8Array(to - from)
  copy.set(bytes.subarray(from, to))
  lobject.pushsvalue2s(L, lstring.luaS_bless(L, copy))
}

/** Pushes a byte string as a Lua string, converted straight into the array Lua keeps. */
export const pushByteString = (L: unknown, text: string): void => {
  lobject.pushsvalue2s(L, lstring.luaS_bless(L, luaBytes(text)))
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

/**
 * byteText, remembered on the Lua string's bytes (immutable once Lua has them): a script's
 * command names and KEYS are converted once, not on every redis.call.
 */
export const cachedText = (bytes: Uint8Array): string => {
  const known = (bytes as { text?: string }).text
  if (known !== undefined) return known
  const text = byteText(bytes)
  if (bytes.length <= 128) (bytes as { text?: string }).text = text
  return text
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
  // An integer with more digits than shown: round its exact digits half to even, as glibc does
  // (toExponential rounds a tie up).
  if (Number.isInteger(x) && Math.abs(x) < 1e21) {
    const digits = String(Math.abs(x))
    if (digits.length > precision) return integerInExponent(x < 0, digits, precision)
  }
  const exponential = x.toExponential(precision - 1)
  const e = exponential.indexOf("e")
  const exponent = Number(exponential.slice(e + 1))
  if (exponent < -4 || exponent >= precision) {
    const digits = Math.abs(exponent)
    return `${stripZeros(exponential.slice(0, e))}e${exponent < 0 ? "-" : "+"}${digits < 10 ? "0" : ""}${digits}`
  }
  return stripZeros(x.toFixed(precision - 1 - exponent))
}

const integerInExponent = (negative: boolean, digits: string, precision: number): string => {
  let kept = digits.slice(0, precision)
  const rest = digits.slice(precision)
  const first = rest.charCodeAt(0) - 48
  const beyond = /[1-9]/.test(rest.slice(1))
  const odd = (kept.charCodeAt(kept.length - 1) - 48) % 2 === 1
  let exponent = digits.length - 1
  if (first > 5 || (first === 5 && (beyond || odd))) {
    const up = (BigInt(kept) + 1n).toString()
    if (up.length > kept.length) exponent++
    kept = up.slice(0, precision)
  }
  const mantissa = stripZeros(`${kept[0]}.${kept.slice(1)}`)
  return `${negative ? "-" : ""}${mantissa}e+${exponent < 10 ? "0" : ""}${exponent}`
}

/** How Lua 5.1 prints a number (LUA_NUMBER_FMT "%.14g"). */
export const luaNumberText = (x: number): string =>
  Number.isInteger(x) && Math.abs(x) < 1e14 && !Object.is(x, -0) ? String(x) : formatG(x, 14)

const HEX = /^\s*(-?)0[xX]([0-9a-fA-F]+)\s*$/

let patched = false
/**
 * Makes fengari's number-to-string conversion (tostring, concatenation, lua_tolstring) Lua 5.1's:
 * every number as a double printed with "%.14g", so `tostring(10/2)` is "5" as in Redis.
 */
export const useLua51NumberText = (): void => {
  if (patched) return
  patched = true
  // Numbers read from text (literals, tonumber, coercions) are doubles, as in 5.1: fengari's
  // integers are 32-bit and would wrap (2147483647 + 1, 1e9 * 10 written with integer literals).
  const str2num = lobject.luaO_str2num
  lobject.luaO_str2num = (text: Uint8Array, obj: any): number => {
    const size = str2num(text, obj)
    if (size !== 0 && obj.ttisinteger()) {
      const hex = HEX.exec(byteText(text).replace(/\0+$/, ""))
      obj.setfltvalue(hex === null ? Number(obj.value) : (hex[1] === "-" ? -1 : 1) * parseInt(hex[2], 16))
    }
    return size
  }
  lobject.luaO_tostring = (L: unknown, obj: any): void => {
    const value = obj.ttisinteger() ? Number(obj.value) : obj.value
    obj.setsvalue(lstring.luaS_bless(L, luaBytes(luaNumberText(value))))
  }
}
