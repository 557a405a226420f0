/**
 * The hash of a key: HalfSipHash-1-2 (the 32-bit SipHash variant) over the key's bytes with a
 * random 64-bit seed chosen at start-up, as Redis seeds SipHash-1-2. A keyed hash matters here:
 * with a guessable one, a client could send keys that all land in one bucket and turn every
 * lookup into a walk of the whole keyspace.
 */
import { randomBytes } from "node:crypto"
import { byteString } from "../../protocol/ByteString.js"

const seed = randomBytes(8)
const K0 = seed.readInt32LE(0)
const K1 = seed.readInt32LE(4)

/** The 32-bit hash of a byte string (char codes 0–255). */
export const hashKey = (key: string): number => {
  let v0 = K0
  let v1 = K1
  let v2 = 0x6c796765 ^ K0
  let v3 = 0x74656462 ^ K1
  const length = key.length
  const whole = length & ~3
  let i = 0
  for (; i < whole; i += 4) {
    const m = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) |
      (key.charCodeAt(i + 3) << 24)
    v3 ^= m
    // One SipRound (c = 1).
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16)
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16)
    v0 ^= m
  }
  let b = length << 24
  const rest = length - whole
  if (rest > 0) b |= key.charCodeAt(i)
  if (rest > 1) b |= key.charCodeAt(i + 1) << 8
  if (rest > 2) b |= key.charCodeAt(i + 2) << 16
  v3 ^= b
  v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16)
  v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2
  v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0
  v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16)
  v0 ^= b
  v2 ^= 0xff
  // Two finalization rounds (d = 2).
  for (let round = 0; round < 2; round++) {
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16)
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16)
  }
  return v1 ^ v3
}

/**
 * `hashKey` of the byte string stored at `bytes[start, start + length)`: the same hash, read from
 * a record (a resize places each record again by its key's hash, which records keep only in part).
 * Made a string first, so the hash has one implementation: resizes are rare and spread over commands.
 */
export const hashBytes = (bytes: Buffer, start: number, length: number): number =>
  hashKey(byteString(bytes, start, length))
