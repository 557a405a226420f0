/**
 * Redis's HyperLogLog string, byte for byte, so a value made by Redis counts the same here and
 * the other way round (GET/SET, DUMP-free moves, RDB).
 *
 * Layout: a 16-byte header — "HYLL", the encoding (0 dense, 1 sparse), three unused bytes, and
 * the cached cardinality as a little-endian uint64 whose top bit set means "stale" — then the
 * 16384 registers (P = 14): dense, 6 bits each packed from the least significant bit (12288
 * bytes); or sparse, run-length opcodes: ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx
 * yyyyyyyy (1..16384 zeros), VAL 1vvvvvxx (1..4 registers of value 1..32). A sparse value turns
 * dense when a register needs more than 32 or it would outgrow hll-sparse-max-bytes.
 *
 * Elements are hashed with MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the register,
 * the run of zeros above them (plus one) is the candidate value. The estimate is Otmar Ertl's
 * ("New cardinality estimation algorithms for HyperLogLog sketches"), computed in the same
 * double-precision steps as Redis so estimates agree to the unit.
 *
 * Corrupted values are reported (a false or undefined result), never trusted: a sparse run past
 * the last register, a truncated opcode.
 */
import { hashWords, murmurHash64A, murmurHash64AWord } from "./murmur.js"

const HLL_P = 14
const HLL_Q = 64 - HLL_P
export const HLL_REGISTERS = 1 << HLL_P
const P_MASK = HLL_REGISTERS - 1
const REGISTER_MAX = 63
export const HEADER_SIZE = 16
export const DENSE_SIZE = HEADER_SIZE + Math.floor((HLL_REGISTERS * 6 + 7) / 8)
export const DENSE = 0
export const SPARSE = 1
const SPARSE_VAL_MAX_VALUE = 32
const SPARSE_VAL_MAX_LEN = 4
const SPARSE_ZERO_MAX_LEN = 64
const SPARSE_XZERO_MAX_LEN = 16384
const SEED = 0xadc83b19
/** 0.5 / ln(2), Redis's HLL_ALPHA_INF. */
const ALPHA_INF = 0.721347520444481703680

export const ERR_INVALID_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value."
export const ERR_CORRUPTED_HLL = "INVALIDOBJ Corrupted HLL object detected"

/** An HLL being worked on: its bytes (the first `length` of `bytes`; a sparse one may grow). */
export interface Hll {
  bytes: Buffer
  length: number
}

/** Redis's isHLLObjectOrReply test on a string value: magic, known encoding, exact dense size. */
export const isHllString = (value: string): boolean =>
  value.length >= HEADER_SIZE &&
  value.charCodeAt(0) === 72 && // H
  value.charCodeAt(1) === 89 && // Y
  value.charCodeAt(2) === 76 && // L
  value.charCodeAt(3) === 76 && // L
  value.charCodeAt(4) <= SPARSE &&
  (value.charCodeAt(4) !== DENSE || value.length === DENSE_SIZE)

/** `isHllString` on bytes. */
export const isHllBytes = (bytes: Buffer, length: number): boolean =>
  length >= HEADER_SIZE &&
  bytes[0] === 72 &&
  bytes[1] === 89 &&
  bytes[2] === 76 &&
  bytes[3] === 76 &&
  bytes[4] <= SPARSE &&
  (bytes[4] !== DENSE || length === DENSE_SIZE)

export const hllFromString = (value: string): Hll => ({ bytes: Buffer.from(value, "latin1"), length: value.length })

export const encodingOf = (hll: Hll): number => hll.bytes[4]

/** An empty HLL as PFADD and PFMERGE create it: sparse, one XZERO per 16384 registers. */
export const createHll = (): Hll => {
  const runs = Math.ceil(HLL_REGISTERS / SPARSE_XZERO_MAX_LEN)
  const bytes = Buffer.alloc(HEADER_SIZE + runs * 2)
  bytes.write("HYLL", 0, "latin1")
  bytes[4] = SPARSE
  let left = HLL_REGISTERS
  for (let p = HEADER_SIZE; left > 0; p += 2) {
    const run = Math.min(left, SPARSE_XZERO_MAX_LEN)
    bytes[p] = ((run - 1) >> 8) | 0x40
    bytes[p + 1] = (run - 1) & 0xff
    left -= run
  }
  return { bytes, length: bytes.length }
}

// ---------------------------------------------------------------------------- header

export const invalidateCache = (hll: Hll): void => {
  hll.bytes[15] |= 0x80
}

/** What an estimate beyond int64 comes out as (see `estimate`). */
export const INT64_MIN = -(2 ** 63)

export const setCachedCardinality = (hll: Hll, cardinality: number): void => {
  const unsigned = cardinality < 0 ? 2 ** 64 + cardinality : cardinality
  hll.bytes.writeUInt32LE(unsigned % 2 ** 32, 8)
  hll.bytes.writeUInt32LE(Math.floor(unsigned / 2 ** 32), 12)
}

// ---------------------------------------------------------------------------- hashing

/** The register an element falls into, set by `patternLength`. */
let lastIndex = 0

/** Redis's hllPatLen: 1 + the zeros above the register bits of the element's hash (at most Q + 1). */
const patternLength = (element: string): number => {
  murmurHash64A(element, SEED)
  return patternOfHash()
}

/** `patternLength` of the hash in `hashResult`. */
const patternOfHash = (): number => {
  const lo = hashWords[0]
  const hi = hashWords[1]
  lastIndex = lo & P_MASK
  // hash >>= P, then bit Q set so the run ends.
  const low = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0
  const high = ((hi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0
  if (low !== 0) return 32 - Math.clz32(low & -low)
  return 32 + 32 - Math.clz32(high & -high)
}

// ---------------------------------------------------------------------------- dense

/** Register `index` of the dense registers at `base` (the byte past the end reads 0, like sds's terminator). */
const denseGet = (bytes: Buffer, base: number, index: number): number => {
  const bit = index * 6
  const byte = base + (bit >>> 3)
  const shift = bit & 7
  const b0 = bytes[byte]
  const b1 = byte + 1 < bytes.length ? bytes[byte + 1] : 0
  return ((b0 >>> shift) | (b1 << (8 - shift))) & REGISTER_MAX
}

const denseSet = (bytes: Buffer, base: number, index: number, value: number): void => {
  const bit = index * 6
  const byte = base + (bit >>> 3)
  const shift = bit & 7
  bytes[byte] = (bytes[byte] & ~(REGISTER_MAX << shift)) | (value << shift)
  if (byte + 1 < bytes.length) {
    bytes[byte + 1] = (bytes[byte + 1] & ~(REGISTER_MAX >>> (8 - shift))) | (value >>> (8 - shift))
  }
}

/** Raises register `index` to `count`; 1 when it changed. */
const denseRaise = (hll: Hll, index: number, count: number): number => {
  if (count <= denseGet(hll.bytes, HEADER_SIZE, index)) return 0
  denseSet(hll.bytes, HEADER_SIZE, index, count)
  return 1
}

// ---------------------------------------------------------------------------- sparse

const isZero = (op: number): boolean => (op & 0xc0) === 0
const isXzero = (op: number): boolean => (op & 0xc0) === 0x40
const isVal = (op: number): boolean => (op & 0x80) !== 0
const zeroLength = (op: number): number => (op & 0x3f) + 1
const valValue = (op: number): number => ((op >> 2) & 0x1f) + 1
const valLength = (op: number): number => (op & 0x3) + 1
const valOp = (value: number, length: number): number => (((value - 1) << 2) | (length - 1) | 0x80) & 0xff
/** An XZERO's length; its second byte past the end reads 0 (sds's terminator). */
const xzeroLength = (hll: Hll, p: number): number =>
  (((hll.bytes[p] & 0x3f) << 8) | (p + 1 < hll.length ? hll.bytes[p + 1] : 0)) + 1

/** Turns a sparse HLL dense in place (header and cached cardinality kept); false if corrupted. */
export const sparseToDense = (hll: Hll): boolean => {
  if (hll.bytes[4] === DENSE) return true
  const dense = Buffer.alloc(DENSE_SIZE)
  hll.bytes.copy(dense, 0, 0, HEADER_SIZE)
  dense[4] = DENSE
  let index = 0
  let p = HEADER_SIZE
  const end = hll.length
  while (p < end) {
    const op = hll.bytes[p]
    if (isZero(op)) {
      index += zeroLength(op)
      p++
    } else if (isXzero(op)) {
      index += xzeroLength(hll, p)
      p += 2
    } else {
      let run = valLength(op)
      const value = valValue(op)
      if (run + index > HLL_REGISTERS) break
      while (run-- > 0) denseSet(dense, HEADER_SIZE, index++, value)
      p++
    }
  }
  if (index !== HLL_REGISTERS) return false
  hll.bytes = dense
  hll.length = DENSE_SIZE
  return true
}

/** Room for `extra` more bytes in a sparse HLL. */
const reserve = (hll: Hll, extra: number): void => {
  if (hll.length + extra <= hll.bytes.length) return
  const grown = Buffer.alloc(Math.max(hll.length + extra, hll.length * 2))
  hll.bytes.copy(grown, 0, 0, hll.length)
  hll.bytes = grown
}

const promote = (hll: Hll, index: number, count: number): number => {
  if (!sparseToDense(hll)) return -1
  denseRaise(hll, index, count)
  return 1
}

/**
 * Redis's hllSparseSet: raises register `index` to `count` in a sparse HLL, splitting the opcode
 * that covers it and merging equal neighbours after; turns it dense when `count` is above 32 or
 * the value would pass `maxBytes`. 1 when changed, 0 when not, -1 when the value is corrupted.
 */
const sparseRaise = (hll: Hll, index: number, count: number, maxBytes: number): number => {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(hll, index, count)
  const bytes = hll.bytes
  let p = HEADER_SIZE
  let end = hll.length
  let first = 0
  let prev = -1
  let span = 0
  while (p < end) {
    const op = bytes[p]
    let opLength = 1
    if (isZero(op)) span = zeroLength(op)
    else if (isVal(op)) span = valLength(op)
    else {
      span = xzeroLength(hll, p)
      opLength = 2
    }
    if (index <= first + span - 1) break
    prev = p
    p += opLength
    first += span
  }
  if (span === 0 || p >= end) return -1
  const op = bytes[p]
  let next = isXzero(op) ? p + 2 : p + 1
  if (next >= end) next = -1
  const zero = isZero(op)
  const xzero = isXzero(op)
  const run = zero ? zeroLength(op) : xzero ? xzeroLength(hll, p) : valLength(op)
  let updated = false
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0
    if (run === 1) {
      bytes[p] = valOp(count, 1)
      updated = true
    }
  }
  if (!updated && zero && run === 1) {
    bytes[p] = valOp(count, 1)
    updated = true
  }
  if (!updated) {
    // Split the opcode: [zeros or values before] VAL(count) [zeros or values after].
    const sequence: Array<number> = []
    const last = first + span - 1
    if (zero || xzero) {
      for (const length of [index - first, -1, last - index]) {
        if (length === -1) sequence.push(valOp(count, 1))
        else if (length > 0 && length > SPARSE_ZERO_MAX_LEN) sequence.push(((length - 1) >> 8) | 0x40, (length - 1) & 0xff)
        else if (length > 0) sequence.push(length - 1)
      }
    } else {
      const current = valValue(op)
      if (index !== first) sequence.push(valOp(current, index - first))
      sequence.push(valOp(count, 1))
      if (index !== last) sequence.push(valOp(current, last - index))
    }
    const delta = sequence.length - (xzero ? 2 : 1)
    if (delta > 0 && hll.length + delta > maxBytes) return promote(hll, index, count)
    reserve(hll, delta)
    const target = hll.bytes
    if (delta !== 0 && next !== -1) target.copyWithin(next + delta, next, end)
    hll.length += delta
    for (let i = 0; i < sequence.length; i++) target[p + i] = sequence[i]
    end += delta
  }
  // Merge adjacent VAL opcodes of the same value, scanning up to 5 opcodes from the previous one.
  const target = hll.bytes
  p = prev === -1 ? HEADER_SIZE : prev
  let scan = 5
  while (p < end && scan-- > 0) {
    const current = target[p]
    if (isXzero(current)) {
      p += 2
      continue
    }
    if (isZero(current)) {
      p++
      continue
    }
    if (p + 1 < end && isVal(target[p + 1])) {
      const value = valValue(current)
      if (value === valValue(target[p + 1])) {
        const length = valLength(current) + valLength(target[p + 1])
        if (length <= SPARSE_VAL_MAX_LEN) {
          target[p + 1] = valOp(value, length)
          target.copyWithin(p, p + 1, end)
          hll.length--
          end--
          continue
        }
      }
    }
    p++
  }
  invalidateCache(hll)
  return 1
}

/** Raises register `index` to `count` in either encoding; 1 changed, 0 not, -1 corrupted. */
export const raiseRegister = (hll: Hll, index: number, count: number, maxBytes: number): number => {
  const encoding = hll.bytes[4]
  if (encoding === DENSE) return denseRaise(hll, index, count)
  if (encoding === SPARSE) return sparseRaise(hll, index, count, maxBytes)
  return -1
}

/** PFADD of one element; 1 when a register changed, 0 when not, -1 when the value is corrupted. */
export const addElement = (hll: Hll, element: string, maxBytes: number): number => {
  const count = patternLength(element)
  return raiseRegister(hll, lastIndex, count, maxBytes)
}

// ---------------------------------------------------------------------------- counting

const histogram = new Int32Array(64)

/** Fills `histogram` from the registers; false when a sparse value does not cover exactly 16384 registers. */
const fillHistogram = (hll: Hll): boolean => {
  histogram.fill(0)
  const bytes = hll.bytes
  if (bytes[4] === DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) histogram[denseGet(bytes, HEADER_SIZE, i)]++
    return true
  }
  let index = 0
  let p = HEADER_SIZE
  while (p < hll.length) {
    const op = bytes[p]
    if (isZero(op)) {
      const run = zeroLength(op)
      index += run
      histogram[0] += run
      p++
    } else if (isXzero(op)) {
      const run = xzeroLength(hll, p)
      index += run
      histogram[0] += run
      p += 2
    } else {
      const run = valLength(op)
      index += run
      histogram[valValue(op)] += run
      p++
    }
  }
  return index === HLL_REGISTERS
}

const sigma = (x: number): number => {
  if (x === 1) return Infinity
  let zPrime: number
  let y = 1
  let z = x
  do {
    x *= x
    zPrime = z
    z += x * y
    y += y
  } while (zPrime !== z)
  return z
}

const tau = (x: number): number => {
  if (x === 0 || x === 1) return 0
  let zPrime: number
  let y = 1.0
  let z = 1 - x
  do {
    x = Math.sqrt(x)
    zPrime = z
    y *= 0.5
    z -= (1 - x) * (1 - x) * y
  } while (zPrime !== z)
  return z / 3
}

/** The estimate from `histogram` (Ertl's improved estimator, Redis's order of operations). */
const estimate = (): number => {
  const m = HLL_REGISTERS
  let z = m * tau((m - histogram[HLL_Q + 1]) / m)
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j]
    z *= 0.5
  }
  z += m * sigma(histogram[0] / m)
  const raw = (ALPHA_INF * m * m) / z
  // llroundl rounds halves away from zero (the value is never negative); beyond int64 (an
  // infinite estimate from saturated registers) x86 answers INT64_MIN, which Redis then replies.
  return raw < 2 ** 63 ? Math.round(raw) : INT64_MIN
}

/** The estimated cardinality of one HLL, or undefined when it is corrupted. */
export const countHll = (hll: Hll): number | undefined => (fillHistogram(hll) ? estimate() : undefined)

/** Merges an HLL into `max` (one byte per register: the maximum); false when it is corrupted. */
export const mergeInto = (max: Uint8Array, hll: Hll): boolean => {
  const bytes = hll.bytes
  if (bytes[4] === DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = denseGet(bytes, HEADER_SIZE, i)
      if (value > max[i]) max[i] = value
    }
    return true
  }
  let index = 0
  let p = HEADER_SIZE
  while (p < hll.length) {
    const op = bytes[p]
    if (isZero(op)) {
      index += zeroLength(op)
      p++
    } else if (isXzero(op)) {
      index += xzeroLength(hll, p)
      p += 2
    } else {
      let run = valLength(op)
      const value = valValue(op)
      if (run + index > HLL_REGISTERS) break
      while (run-- > 0) {
        if (value > max[index]) max[index] = value
        index++
      }
      p++
    }
  }
  return index === HLL_REGISTERS
}

/** The estimate of merged registers (PFCOUNT of several keys). */
export const countRegisters = (max: Uint8Array): number => {
  histogram.fill(0)
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[max[i]]++
  return estimate()
}

/** Every register of a dense HLL (PFDEBUG GETREG). */
export const denseRegisters = (hll: Hll): Array<number> => {
  const registers: Array<number> = []
  for (let i = 0; i < HLL_REGISTERS; i++) registers.push(denseGet(hll.bytes, HEADER_SIZE, i))
  return registers
}

/** PFDEBUG DECODE's text for a sparse HLL: `z:<n>`, `Z:<n>`, `v:<value>,<n>` separated by spaces. */
export const decodeSparse = (hll: Hll): string => {
  const parts: Array<string> = []
  let p = HEADER_SIZE
  while (p < hll.length) {
    const op = hll.bytes[p]
    if (isZero(op)) {
      parts.push(`z:${zeroLength(op)}`)
      p++
    } else if (isXzero(op)) {
      parts.push(`Z:${xzeroLength(hll, p)}`)
      p += 2
    } else {
      parts.push(`v:${valValue(op)},${valLength(op)}`)
      p++
    }
  }
  return parts.join(" ")
}

/** Dense register access for PFSELFTEST (a bare register array, no header). */
export const registerAccess = { get: denseGet, set: denseSet }
/** PFSELFTEST's element, a uint64 given as two 32-bit halves, added to several HLLs at once. */
export const addUint64 = (hlls: ReadonlyArray<Hll>, lo: number, hi: number, maxBytes: number): void => {
  murmurHash64AWord(lo, hi, SEED)
  const count = patternOfHash()
  for (const hll of hlls) raiseRegister(hll, lastIndex, count, maxBytes)
}
