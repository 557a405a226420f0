/**
 * Reading the compact encodings Redis 7.0 writes small collections in, so a `dump.rdb` made by
 * Redis loads here: listpacks (small hashes, sorted sets, and the nodes of a list) and intsets
 * (small sets of integers). Each arrives as one RDB string; these turn it into its elements, as
 * byte strings. Ziplists, Redis 6's compact encoding, read too (RDB files and DUMP payloads of
 * Redis 6 and older); zipmaps (Redis 2.4) do not.
 */
import { RdbFormatError } from "./RdbFormat.js"

const fail = (what: string): never => {
  throw new RdbFormatError(0, `corrupt ${what}`)
}

/** The elements of a listpack: strings, integers written as their decimal text. */
export const listpackElements = (blob: Buffer): Array<string> => {
  if (blob.length < 7 || blob.readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) fail("listpack")
  const count = blob.readUInt16LE(4)
  const elements: Array<string> = []
  let at = 6
  for (;;) {
    if (at >= blob.length) fail("listpack")
    const first = blob[at]
    if (first === 0xff) break
    const start = at
    let value: string
    if ((first & 0x80) === 0) {
      value = String(first & 0x7f)
      at += 1
    } else if ((first & 0xc0) === 0x80) {
      const length = first & 0x3f
      value = blob.latin1Slice(at + 1, at + 1 + length)
      at += 1 + length
    } else if ((first & 0xe0) === 0xc0) {
      const raw = ((first & 0x1f) << 8) | blob[at + 1]
      value = String(raw >= 4096 ? raw - 8192 : raw)
      at += 2
    } else if ((first & 0xf0) === 0xe0) {
      const length = ((first & 0x0f) << 8) | blob[at + 1]
      value = blob.latin1Slice(at + 2, at + 2 + length)
      at += 2 + length
    } else {
      switch (first) {
        case 0xf0: {
          const length = blob.readUInt32LE(at + 1)
          value = blob.latin1Slice(at + 5, at + 5 + length)
          at += 5 + length
          break
        }
        case 0xf1:
          value = String(blob.readInt16LE(at + 1))
          at += 3
          break
        case 0xf2:
          value = String(blob.readIntLE(at + 1, 3))
          at += 4
          break
        case 0xf3:
          value = String(blob.readInt32LE(at + 1))
          at += 5
          break
        case 0xf4:
          value = blob.readBigInt64LE(at + 1).toString()
          at += 9
          break
        default:
          return fail("listpack entry")
      }
    }
    // Skip the back-length: 1 to 5 bytes, by the size of the entry it follows.
    const size = at - start
    at += size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5
    if (at > blob.length - 1) fail("listpack entry")
    elements.push(value)
  }
  if (count !== 65535 && count !== elements.length) fail("listpack element count")
  return elements
}

/** The members of an intset, ascending, as decimal text. */
export const intsetMembers = (blob: Buffer): Array<string> => {
  if (blob.length < 8) fail("intset")
  const width = blob.readUInt32LE(0)
  const length = blob.readUInt32LE(4)
  if ((width !== 2 && width !== 4 && width !== 8) || blob.length !== 8 + width * length) fail("intset")
  const members: Array<string> = []
  for (let i = 0; i < length; i++) {
    const at = 8 + i * width
    members.push(
      width === 2
        ? String(blob.readInt16LE(at))
        : width === 4
        ? String(blob.readInt32LE(at))
        : blob.readBigInt64LE(at).toString()
    )
  }
  return members
}

/**
 * The elements of a ziplist, the compact encoding of Redis 6 and older (RDB files and DUMP
 * payloads of RDB version 9 and below): each entry is the previous entry's length (1 byte, or
 * 0xFE and 4 bytes), an encoding header (a string's length in 6, 14 or 32 bits, or an integer
 * type) and the bytes.
 */
export const ziplistElements = (blob: Buffer): Array<string> => {
  if (blob.length < 11 || blob.readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) fail("ziplist")
  const count = blob.readUInt16LE(8)
  const elements: Array<string> = []
  let at = 10
  const need = (bytes: number) => {
    if (at + bytes > blob.length - 1) fail("ziplist entry")
  }
  while (blob[at] !== 0xff) {
    need(1)
    at += blob[at] === 0xfe ? 5 : 1
    need(1)
    const header = blob[at]
    const kind = header >> 6
    let value: string
    if (kind === 0 || kind === 1 || kind === 2) {
      let length: number
      if (kind === 0) {
        length = header & 0x3f
        at += 1
      } else if (kind === 1) {
        need(2)
        length = ((header & 0x3f) << 8) | blob[at + 1]
        at += 2
      } else {
        need(5)
        length = blob.readUInt32BE(at + 1)
        at += 5
      }
      need(length)
      value = blob.latin1Slice(at, at + length)
      at += length
    } else {
      at += 1
      if (header === 0xc0) {
        need(2)
        value = String(blob.readInt16LE(at))
        at += 2
      } else if (header === 0xd0) {
        need(4)
        value = String(blob.readInt32LE(at))
        at += 4
      } else if (header === 0xe0) {
        need(8)
        value = blob.readBigInt64LE(at).toString()
        at += 8
      } else if (header === 0xf0) {
        need(3)
        value = String(blob.readIntLE(at, 3))
        at += 3
      } else if (header === 0xfe) {
        need(1)
        value = String(blob.readInt8(at))
        at += 1
      } else if (header >= 0xf1 && header <= 0xfd) {
        value = String((header & 0x0f) - 1)
      } else {
        return fail("ziplist entry")
      }
    }
    elements.push(value)
  }
  if (count !== 65535 && count !== elements.length) fail("ziplist element count")
  return elements
}
