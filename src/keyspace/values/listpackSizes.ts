/**
 * Sizes of listpack elements as Redis 7.0 encodes them (an element's encoding plus its
 * back-length): what a stream node's listpack takes, so that nodes split where Redis's split
 * (stream-node-max-bytes compares the listpack's exact size).
 */

/** Bytes of the back-length of an element whose encoding takes `size` bytes. */
const backlenBytes = (size: number): number =>
  size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5

/** Bytes of an integer element (a whole number; past 2^53 only its magnitude matters). */
export const intElementBytes = (value: number): number => {
  if (value >= 0 && value <= 127) return 2
  if (value >= -4096 && value <= 4095) return 3
  if (value >= -32768 && value <= 32767) return 4
  if (value >= -8388608 && value <= 8388607) return 5
  if (value >= -2147483648 && value <= 2147483647) return 6
  return 10
}

const INT64_TEXT = /^(0|-?[1-9][0-9]{0,18})$/

/** Whether Redis stores `text` as an integer (lpStringToInt64: canonical, within 64 bits). */
const integerOf = (text: string): number | undefined => {
  const length = text.length
  if (length === 0 || length > 20) return undefined
  const first = text.charCodeAt(0)
  if ((first < 48 || first > 57) && first !== 45) return undefined
  if (!INT64_TEXT.test(text)) return undefined
  if (length >= 19) {
    const big = BigInt(text)
    if (big > 9223372036854775807n || big < -9223372036854775808n) return undefined
    // Past 2^53 only the magnitude class matters: 9 bytes of integer.
    return big < 0n ? -4294967296 : 4294967296
  }
  return Number(text)
}

/** Bytes of an element holding `text` (an integer when it is one). */
export const stringElementBytes = (text: string): number => {
  const integer = integerOf(text)
  if (integer !== undefined) return intElementBytes(integer)
  const length = text.length
  const encoded = length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length
  return encoded + backlenBytes(encoded)
}

const TWO_32 = 4294967296

/**
 * Bytes of the integer element `a - b` for two unsigned 64-bit parts given as 32-bit words, as
 * Redis writes a stream entry's ID delta: the difference wraps to a signed 64-bit integer.
 */
export const deltaElementBytes = (aHi: number, aLo: number, bHi: number, bLo: number): number => {
  const diff = (aHi - bHi) * TWO_32 + (aLo - bLo)
  if (Math.abs(diff) < 2 ** 62) return intElementBytes(diff)
  const wrapped = BigInt.asIntN(64, ((BigInt(aHi) << 32n) | BigInt(aLo)) - ((BigInt(bHi) << 32n) | BigInt(bLo)))
  return intElementBytes(Number(wrapped))
}
