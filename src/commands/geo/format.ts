/**
 * Numbers as the geo commands print them: coordinates as Redis's "human" long double (`%.17Lf`
 * without trailing zeros), distances with 4 decimals (the value times 10^4 rounded half to even,
 * as `llrint`), and the `%f` of the invalid-coordinates error. `printf`'s fixed notation is the
 * exact decimal value rounded half to even; JS's `toFixed` rounds ties up and gives up on large
 * values, so those cases take the exact path.
 */

const view = new DataView(new ArrayBuffer(8))

/** `%.<digits>f` of a finite double, exactly as glibc prints it. */
export const printFixed = (x: number, digits: number): string => {
  if (x !== x) return "nan"
  if (x === Infinity) return "inf"
  if (x === -Infinity) return "-inf"
  const negative = x < 0 || Object.is(x, -0)
  const magnitude = Math.abs(x)
  // A tie at the last digit needs a binary expansion ending exactly one digit later.
  const tie = Number.isInteger(magnitude * 2 ** (digits + 1)) && !Number.isInteger(magnitude * 2 ** digits)
  if (magnitude < 1e21 && !tie) {
    const text = magnitude.toFixed(digits)
    return negative ? "-" + text : text
  }
  view.setFloat64(0, magnitude)
  const high = view.getUint32(0)
  const low = view.getUint32(4)
  const biased = (high >>> 20) & 0x7ff
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low)
  let exponent: number
  if (biased === 0) exponent = -1074
  else {
    mantissa |= 1n << 52n
    exponent = biased - 1075
  }
  let scaled: bigint
  const scale = 10n ** BigInt(digits)
  if (exponent >= 0) scaled = (mantissa << BigInt(exponent)) * scale
  else {
    const numerator = mantissa * scale
    const denominator = 1n << BigInt(-exponent)
    scaled = numerator / denominator
    const twice = (numerator % denominator) * 2n
    if (twice > denominator || (twice === denominator && (scaled & 1n) === 1n)) scaled++
  }
  let text = scaled.toString()
  if (digits > 0) {
    text = text.padStart(digits + 1, "0")
    text = text.slice(0, text.length - digits) + "." + text.slice(text.length - digits)
  }
  return negative ? "-" + text : text
}

/** A coordinate as Redis's `addReplyHumanLongDouble` prints it. */
export const printCoordinate = (x: number): string => {
  let text = printFixed(x, 17)
  let end = text.length
  while (text.charCodeAt(end - 1) === 48) end--
  if (text.charCodeAt(end - 1) === 46) end--
  text = text.slice(0, end)
  return text === "-0" ? "0" : text
}

/** A distance with 4 decimals: the value times 10^4, rounded half to even, as fixed point. */
export const printDistance = (d: number): string => {
  if (d === 0) return "0.0000"
  const product = d * 10000
  let n = Math.floor(product)
  const fraction = product - n
  if (fraction > 0.5 || (fraction === 0.5 && n % 2 !== 0)) n++
  const negative = n < 0
  let digits = (negative ? -n : n).toString()
  if (digits.length < 5) digits = digits.padStart(5, "0")
  const text = digits.slice(0, digits.length - 4) + "." + digits.slice(digits.length - 4)
  return negative ? "-" + text : text
}
