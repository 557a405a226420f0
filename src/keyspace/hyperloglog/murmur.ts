/**
 * MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit version) as Redis's HyperLogLog uses it:
 * the input read as little-endian 64-bit words whatever the platform. 64-bit arithmetic is done
 * on two 32-bit halves (no bigint): PFADD hashes every element.
 */

/** The result of the last `murmurHash64A`: high and low 32 bits, unsigned. */
export const hashResult = { hi: 0, lo: 0 }

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
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0
}

// (hi, lo) *= m, modulo 2^64, in these two variables.
let hHi = 0
let hLo = 0
const multiplyByM = (): void => {
  const hi = (mulHigh32(hLo, M_LO) + Math.imul(hHi, M_LO) + Math.imul(hLo, M_HI)) >>> 0
  hLo = Math.imul(hLo, M_LO) >>> 0
  hHi = hi
}

/** Hashes the bytes of a byte string (latin1) into `hashResult`. */
export const murmurHash64A = (data: string, seed: number): void => {
  const length = data.length
  // h = seed ^ (len * m)
  hHi = 0
  hLo = length >>> 0
  multiplyByM()
  hHi = (hHi ^ Math.floor(length / 2 ** 32)) >>> 0 // lengths stay below 2^32: a no-op kept for clarity
  hLo = (hLo ^ seed) >>> 0
  const words = length - (length & 7)
  for (let i = 0; i < words; i += 8) {
    let kLo =
      (data.charCodeAt(i) | (data.charCodeAt(i + 1) << 8) | (data.charCodeAt(i + 2) << 16) | (data.charCodeAt(i + 3) << 24)) >>> 0
    let kHi =
      (data.charCodeAt(i + 4) |
        (data.charCodeAt(i + 5) << 8) |
        (data.charCodeAt(i + 6) << 16) |
        (data.charCodeAt(i + 7) << 24)) >>> 0
    // k *= m; k ^= k >> 47; k *= m
    let hi = (mulHigh32(kLo, M_LO) + Math.imul(kHi, M_LO) + Math.imul(kLo, M_HI)) >>> 0
    kLo = Math.imul(kLo, M_LO) >>> 0
    kHi = hi
    kLo = (kLo ^ (kHi >>> 15)) >>> 0
    hi = (mulHigh32(kLo, M_LO) + Math.imul(kHi, M_LO) + Math.imul(kLo, M_HI)) >>> 0
    kLo = Math.imul(kLo, M_LO) >>> 0
    kHi = hi
    // h ^= k; h *= m
    hHi = (hHi ^ kHi) >>> 0
    hLo = (hLo ^ kLo) >>> 0
    multiplyByM()
  }
  const rest = length & 7
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) {
      const byte = data.charCodeAt(words + j)
      if (j >= 4) hHi = (hHi ^ (byte << ((j - 4) * 8))) >>> 0
      else hLo = (hLo ^ (byte << (j * 8))) >>> 0
    }
    multiplyByM()
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo = (hLo ^ (hHi >>> 15)) >>> 0
  multiplyByM()
  hLo = (hLo ^ (hHi >>> 15)) >>> 0
  hashResult.hi = hHi
  hashResult.lo = hLo
}
