/**
 * Stream entry IDs: two unsigned 64-bit parts, `ms` and `seq`. An ID is kept as a 16-character
 * latin1 string holding both parts big-endian (ms first), so that JS's `<`, `===` and Map keys
 * order and identify IDs exactly as Redis's `streamCompareID` does — no float can round a part
 * past 2^53, and comparing costs one native string compare instead of bigint arithmetic. Arithmetic
 * (the next ID, increments for exclusive ranges) goes through bigint, off the hot paths; the text
 * form is built with plain numbers whenever the ms part is below 2^53.
 */

export type StreamId = string

const U64_MAX = (1n << 64n) - 1n
const TWO_32 = 4294967296

const partChars = (value: bigint): string => {
  const hi = Number(value >> 32n)
  const lo = Number(value & 0xffffffffn)
  return String.fromCharCode(
    hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255,
    lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255
  )
}

/** The ID `ms-seq` (both within 0..2^64-1). */
export const makeId = (ms: bigint, seq: bigint): StreamId => partChars(ms) + partChars(seq)

/** An ID from a millisecond time below 2^53 and sequence 0 (XADD's `*`), without bigint. */
export const idFromMillis = (ms: number): StreamId => {
  const hi = Math.floor(ms / TWO_32)
  const lo = ms - hi * TWO_32
  return String.fromCharCode(
    hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255,
    lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255,
    0, 0, 0, 0, 0, 0, 0, 0
  )
}

/** The ID `ms-seq` from two whole numbers below 2^53, without bigint. */
export const idFromNumbers = (ms: number, seq: number): StreamId => {
  const msHi = Math.floor(ms / TWO_32)
  const msLo = ms - msHi * TWO_32
  const seqHi = Math.floor(seq / TWO_32)
  const seqLo = seq - seqHi * TWO_32
  return String.fromCharCode(
    msHi >>> 24, (msHi >>> 16) & 255, (msHi >>> 8) & 255, msHi & 255,
    msLo >>> 24, (msLo >>> 16) & 255, (msLo >>> 8) & 255, msLo & 255,
    seqHi >>> 24, (seqHi >>> 16) & 255, (seqHi >>> 8) & 255, seqHi & 255,
    seqLo >>> 24, (seqLo >>> 16) & 255, (seqLo >>> 8) & 255, seqLo & 255
  )
}

/** `text[from, to)` as a number when it is 1 to 15 decimal digits (below 2^53), else -1. */
const shortDigits = (text: string, from: number, to: number): number => {
  if (to <= from || to - from > 15) return -1
  let value = 0
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i)
    if (code < 48 || code > 57) return -1
    value = value * 10 + code - 48
  }
  return value
}

const word = (id: StreamId, at: number): number =>
  ((id.charCodeAt(at) << 24) | (id.charCodeAt(at + 1) << 16) | (id.charCodeAt(at + 2) << 8) | id.charCodeAt(at + 3)) >>> 0

/**
 * A whole number below 2^53 in decimal. `String(n)` of a number past 2^31 (a heap number, not a
 * small integer) costs ~400 ns; two small integers cost a sixth of that.
 */
export const decimalText = (n: number): string => {
  if (n < 100000000) return String(n)
  const high = Math.floor(n / 100000000)
  const low = String(n - high * 100000000)
  return String(high) + "00000000".slice(low.length) + low
}

const partText = (id: StreamId, at: number): string => {
  const hi = word(id, at)
  const lo = word(id, at + 4)
  if (hi < 0x200000) return decimalText(hi * TWO_32 + lo)
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString()
}

export const msOf = (id: StreamId): bigint => (BigInt(word(id, 0)) << 32n) | BigInt(word(id, 4))
export const seqOf = (id: StreamId): bigint => (BigInt(word(id, 8)) << 32n) | BigInt(word(id, 12))

/** The ms part as a number when it is below 2^53 (else Infinity: later than any clock). */
export const msNumber = (id: StreamId): number => {
  const hi = word(id, 0)
  return hi < 0x200000 ? hi * TWO_32 + word(id, 4) : Number.POSITIVE_INFINITY
}

/** The ms part last printed, as words and text: consecutive IDs mostly share their ms. */
let printedHi = -1
let printedLo = -1
let printedMs = ""

/** The text of an ms part given as two words (the last one printed is reused). */
export const msText = (hi: number, lo: number): string => {
  if (lo !== printedLo || hi !== printedHi) {
    printedMs = hi < 0x200000 ? decimalText(hi * TWO_32 + lo) : ((BigInt(hi) << 32n) | BigInt(lo)).toString()
    printedHi = hi
    printedLo = lo
  }
  return printedMs
}

/** `ms-seq`, as Redis prints an ID. */
export const idText = (id: StreamId): string => {
  const seqHi = word(id, 8)
  const seqLo = word(id, 12)
  return msText(word(id, 0), word(id, 4)) + "-" + (seqHi === 0 && seqLo < 100000000 ? String(seqLo) : partText(id, 8))
}

export const ZERO_ID: StreamId = makeId(0n, 0n)
export const MAX_ID: StreamId = makeId(U64_MAX, U64_MAX)

/** The next ID (`streamIncrID`), or undefined after the last possible one. */
export const nextId = (id: StreamId): StreamId | undefined => {
  const low = word(id, 12)
  if (low !== 0xffffffff) {
    // No carry out of the low word: only its four bytes change.
    const next = low + 1
    return id.slice(0, 12) + String.fromCharCode(next >>> 24, (next >>> 16) & 255, (next >>> 8) & 255, next & 255)
  }
  const seq = seqOf(id)
  if (seq < U64_MAX) return makeId(msOf(id), seq + 1n)
  const ms = msOf(id)
  return ms < U64_MAX ? makeId(ms + 1n, 0n) : undefined
}

/** The previous ID (`streamDecrID`), or undefined before 0-0. */
export const previousId = (id: StreamId): StreamId | undefined => {
  const seq = seqOf(id)
  if (seq > 0n) return makeId(msOf(id), seq - 1n)
  const ms = msOf(id)
  return ms > 0n ? makeId(ms - 1n, U64_MAX) : undefined
}

const isSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13)

/**
 * An unsigned 64-bit number as Redis's `string2ull` reads it: `string2ll` when that succeeds (a
 * negative value fails), otherwise C's `strtoull` (leading white space, a sign — `-` wraps
 * around as in C — digits, nothing after them; overflow fails).
 */
const parseU64 = (text: string): bigint | undefined => {
  const length = text.length
  let i = 0
  while (i < length && isSpace(text.charCodeAt(i))) i++
  let negative = false
  const sign = text.charCodeAt(i)
  if (sign === 43 || sign === 45) {
    negative = sign === 45
    i++
  }
  if (i === length) return undefined
  for (let j = i; j < length; j++) {
    const code = text.charCodeAt(j)
    if (code < 48 || code > 57) return undefined
  }
  const value = BigInt(text.slice(i))
  if (value > U64_MAX) return undefined
  if (negative) {
    // string2ll takes "-N" without leading zeros and fails it as negative; strtoull wraps the rest.
    const plain = /^-[1-9][0-9]*$/.test(text) && value <= (1n << 63n)
    if (plain) return undefined
    return value === 0n ? 0n : (1n << 64n) - value
  }
  return value
}

/** What `parseId` was asked to accept, and what it found. */
export interface ParsedId {
  readonly id: StreamId
  /** False for `<ms>-*` (XADD: the sequence is to be chosen). */
  readonly seqGiven: boolean
}

/**
 * Redis's `streamGenericParseIDOrReply` without the reply: `-` and `+` (unless `strict`), `<ms>`
 * (sequence `missingSeq`), `<ms>-<seq>`, and `<ms>-*` when `allowAutoSeq`. The text ends at a NUL
 * byte as a C string does; more than 127 bytes never parse.
 */
export const parseId = (
  raw: string,
  missingSeq: bigint,
  strict: boolean,
  allowAutoSeq = false
): ParsedId | undefined => {
  if (raw.length > 127) return undefined
  // The common case, plain digits (`ms` or `ms-seq`, each below 2^53), without bigint.
  const dashAt = raw.indexOf("-")
  const msDigits = shortDigits(raw, 0, dashAt === -1 ? raw.length : dashAt)
  if (msDigits !== -1) {
    if (dashAt === -1) {
      if (missingSeq < 9007199254740992n) return { id: idFromNumbers(msDigits, Number(missingSeq)), seqGiven: true }
    } else {
      const seqDigits = shortDigits(raw, dashAt + 1, raw.length)
      if (seqDigits !== -1) return { id: idFromNumbers(msDigits, seqDigits), seqGiven: true }
    }
  }
  const nul = raw.indexOf("\0")
  const text = nul === -1 ? raw : raw.slice(0, nul)
  if (!strict) {
    if (text === "-") return { id: ZERO_ID, seqGiven: true }
    if (text === "+") return { id: MAX_ID, seqGiven: true }
  }
  const dash = text.indexOf("-")
  const ms = parseU64(dash === -1 ? text : text.slice(0, dash))
  if (ms === undefined) return undefined
  if (dash === -1) return { id: makeId(ms, missingSeq), seqGiven: true }
  const seqText = text.slice(dash + 1)
  if (allowAutoSeq && seqText === "*") return { id: makeId(ms, 0n), seqGiven: false }
  const seq = parseU64(seqText)
  return seq === undefined ? undefined : { id: makeId(ms, seq), seqGiven: true }
}
