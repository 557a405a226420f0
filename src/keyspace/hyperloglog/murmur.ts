/**
 * MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit version) as Redis's HyperLogLog uses it:
 * the input read as little-endian 64-bit words whatever the platform. 64-bit arithmetic is done
 * on two 32-bit halves (no bigint), kept in a typed array so no number is boxed: PFADD hashes
 * every element.
 */

/** The result of the last hash: [low 32 bits, high 32 bits], and the running state while hashing. */
export const hashWords = new Uint32Array(2)
const LO = 0
const HI = 1

const M_HI = 0xc6a4a793
const M_LO = 0x5bd1e995

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
const mulHigh32 = (a: number, b: number): number => {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  const low = a0 * b0
  const mid1 = a1 * b0
  const mid2 = a0 * b1
  const carry = ((low >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16
  return a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry
}

/** hashWords *= m (mod 2^64). */
const multiplyByM = (h: Uint32Array): void => {
  const lo = h[LO]
  const hi = h[HI]
  h[HI] = mulHigh32(lo, M_LO) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)
  h[LO] = Math.imul(lo, M_LO)
}

/** The mixed form of one input word, (k * m ^ (k * m) >> 47) * m, is XORed into h, then h *= m. */
const k = new Uint32Array(2)
const mixWord = (h: Uint32Array, kLo: number, kHi: number): void => {
  k[LO] = kLo
  k[HI] = kHi
  multiplyByM(k)
  k[LO] ^= k[HI] >>> 15
  multiplyByM(k)
  h[LO] ^= k[LO]
  h[HI] ^= k[HI]
  multiplyByM(h)
}

/** h ^= h >> 47; h *= m; h ^= h >> 47. */
const finish = (h: Uint32Array): void => {
  h[LO] ^= h[HI] >>> 15
  multiplyByM(h)
  h[LO] ^= h[HI] >>> 15
}

/** h = seed ^ (length * m) */
const start = (h: Uint32Array, length: number, seed: number): void => {
  h[LO] = length
  h[HI] = 0
  multiplyByM(h)
  h[LO] ^= seed
}

/** Hashes the 8 bytes of a uint64 (little-endian, as Redis hashes an integer's memory) into `hashWords`. */
export const murmurHash64AWord = (lo: number, hi: number, seed: number): void => {
  start(hashWords, 8, seed)
  mixWord(hashWords, lo, hi)
  finish(hashWords)
}

/** Hashes the bytes of a byte string (latin1) into `hashWords`. */
export const murmurHash64A = (data: string, seed: number): void => {
  const h = hashWords
  const length = data.length
  start(h, length, seed)
  const words = length - (length & 7)
  for (let i = 0; i < words; i += 8) {
    const kLo = data.charCodeAt(i) | (data.charCodeAt(i + 1) << 8) | (data.charCodeAt(i + 2) << 16) | (data.charCodeAt(i + 3) << 24)
    const kHi =
      data.charCodeAt(i + 4) | (data.charCodeAt(i + 5) << 8) | (data.charCodeAt(i + 6) << 16) | (data.charCodeAt(i + 7) << 24)
    mixWord(h, kLo, kHi)
  }
  const rest = length & 7
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) {
      const byte = data.charCodeAt(words + j)
      if (j >= 4) h[HI] ^= byte << ((j - 4) * 8)
      else h[LO] ^= byte << (j * 8)
    }
    multiplyByM(h)
  }
  finish(h)
}
