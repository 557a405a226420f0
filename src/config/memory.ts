/** Memory sizes in configuration values, as Redis's `memtoull` reads them. */

const MEMORY = /^([0-9]*)(b|k|kb|m|mb|g|gb)?$/i
const UNITS: Record<string, bigint> = {
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n
}
export const UINT64_MAX = 2n ** 64n - 1n

/** A memory size: digits (none means 0) and an optional unit; past 2^64-1 it saturates. */
export const parseMemory = (text: string): bigint | undefined => {
  const match = MEMORY.exec(text)
  if (match === null) return undefined
  const value = BigInt(match[1] === "" ? "0" : match[1]) * (match[2] ? UNITS[match[2].toLowerCase()] : 1n)
  return value > UINT64_MAX ? UINT64_MAX : value
}
